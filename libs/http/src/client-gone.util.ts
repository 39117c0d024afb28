import type { ServerResponse } from 'node:http';

/**
 * A signal that aborts when the client goes away before its answer is sent, for handlers that wait on a job. Node
 * emits 'close' after every response, also one that finished, and aborting then would cost each request a
 * DOMException with its stack trace and the waiters' abort handling; so it aborts only for an unfinished answer.
 */
export function clientGoneSignal(raw: ServerResponse): AbortSignal {
  const gone = new AbortController();
  raw.once('close', () => {
    if (!raw.writableEnded) gone.abort();
  });
  return gone.signal;
}
