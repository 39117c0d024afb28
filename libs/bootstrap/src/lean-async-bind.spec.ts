import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { useLeanAsyncBind } from './lean-async-bind';

describe('useLeanAsyncBind', () => {
  beforeAll(() => useLeanAsyncBind());

  it('runs a bound function in the async context it was bound in, not the caller’s', () => {
    const store = new AsyncLocalStorage<string>();
    const bound = store.run('at bind', () => AsyncResource.bind(() => store.getStore()));
    expect(store.run('at call', () => bound())).toBe('at bind');
  });

  it("passes the caller's this and arguments through, and answers what the function answers", () => {
    const resource = new AsyncResource('test');
    const fn = function (this: { base: number }, a: number, b: number) {
      return this.base + a + b;
    };
    const bound = resource.bind(fn);
    expect(bound.call({ base: 10 }, 1, 2)).toBe(13);
    expect(bound.length).toBe(2);
  });

  it('binds a given thisArg, as the static form with one does', () => {
    const target = {
      name: 'target',
      who(this: { name: string }) {
        return this.name;
      },
    };
    const bound = AsyncResource.bind(target.who, 'type', target);
    expect(bound.call({ name: 'caller' })).toBe('target');
  });

  it('gives bound functions no deprecated asyncResource accessor, and refuses a non-function', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    expect(Object.getOwnPropertyDescriptor(bound, 'asyncResource')).toBeUndefined();
    expect(() => new AsyncResource('test').bind(42 as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
