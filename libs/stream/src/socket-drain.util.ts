import type { ServerResponse } from 'node:http';

/** Resolves once the socket has taken what was queued for it (at once if it has), or when it closes. */
export function drainedOf(raw: ServerResponse): Promise<void> {
  if (!raw.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
