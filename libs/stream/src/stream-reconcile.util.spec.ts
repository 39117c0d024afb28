import { reconcile } from './stream-reconcile.util';

describe('reconcile', () => {
  it('appends the missing suffix to a held prefix', () => {
    expect(reconcile('Hello, ', 'Hello, world')).toEqual({ kind: 'append', suffix: 'world' });
  });

  it('appends nothing when the client holds the whole result', () => {
    expect(reconcile('done', 'done')).toEqual({ kind: 'append', suffix: '' });
  });

  it('restarts with the whole result when the held text diverged', () => {
    expect(reconcile('Hallo', 'Hello there')).toEqual({ kind: 'restart', text: 'Hello there' });
  });
});
