import { AsyncResource } from 'node:async_hooks';

const APPLIED = Symbol.for('conveyor.leanAsyncBind');

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => (...args: unknown[]) => unknown;

/**
 * Node 20's `AsyncResource#bind` gives every bound function a deprecated `asyncResource` accessor (DEP0172), built
 * from two `util.deprecate` wrappers on each call. Fastify binds every request's body parsing with it and Nest every
 * interceptor, so binding cost over a tenth of the gateway's CPU per submit (profiled under load). This
 * binds exactly as Node does — the function runs in the resource's async scope, with the caller's `this` or the
 * given `thisArg`, and keeps its `length` — without the deprecated accessor, which nothing here reads. Idempotent.
 */
export function useLeanAsyncBind(): void {
  const proto = AsyncResource.prototype as unknown as { bind: Bind; [APPLIED]?: true };
  if (proto[APPLIED]) return;
  proto.bind = function bind(this: AsyncResource, fn, thisArg) {
    if (typeof fn !== 'function')
      throw Object.assign(new TypeError(`The "fn" argument must be of type function. Received ${typeof fn}`), { code: 'ERR_INVALID_ARG_TYPE' });
    return boundTo(this, fn, thisArg);
  };
  proto[APPLIED] = true;
}

function boundTo(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown): (...args: unknown[]) => unknown {
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : resource.runInAsyncScope.bind(resource, fn, thisArg);
  Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
  return bound;
}
