import { unstorableTextPath } from './storable-text.util';

describe('unstorableTextPath', () => {
  it.each([
    ['a NUL', { a: 'x\u0000y' }, ['a']],
    ['a lone high surrogate', { a: ['ok', 'x\uD83D'] }, ['a', 1]],
    ['a lone low surrogate', { a: { b: '\uDE00x' } }, ['a', 'b']],
    ['reversed surrogates', { a: '\uDE00\uD83D' }, ['a']],
    ['an object key with a NUL (its object is named)', { meta: { 'k\u0000': 'v' } }, ['meta']],
  ])('finds %s', (_label, value, path) => {
    expect(unstorableTextPath(value)).toEqual(path);
  });

  it('passes text PostgreSQL stores: paired surrogates (emoji), other control characters, numbers', () => {
    expect(unstorableTextPath({ a: 'smile 😀', b: '\u0001\t\n', c: 5, d: null, e: [true] })).toBeNull();
  });
});
