import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fromClientError, mapException } from './error.mapper';

/** How long a socket answered with an error may take to flush the answer before it is destroyed. */
const FLUSH_MS = 1_000;

/**
 * Node's `clientError`: a request that failed before any route saw it (malformed, headers too large, or too slow
 * to arrive). Answered in OpenAI's shape with our codes, written straight to the socket (there is no reply
 * object yet), then the connection is closed. Nothing of the request is echoed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const started = (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent === true;
  if (socket.writable && !started) {
    const { status, headers, body } = mapException(fromClientError(err));
    const text = JSON.stringify(body);
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(text)}`,
      'x-content-type-options: nosniff',
      'cache-control: no-store',
      ...Object.entries({ ...headers, connection: 'close' }).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
    setTimeout(() => socket.destroy(), FLUSH_MS).unref();
    return;
  }
  socket.destroy();
}
