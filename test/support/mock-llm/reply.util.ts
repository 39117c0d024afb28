import type { OutgoingHttpHeaders } from 'node:http';
import type { Reply } from './mock-upstream.server';

/** What the mock does after writing a stream's frames. */
export type StreamEnding =
  /** End the response normally. */
  | 'end'
  /** Keep the connection open and send nothing more, until the client gives up (to test aborts). */
  | 'stall'
  /** Destroy the socket mid-response, as a crashed upstream or a dropped connection would. */
  | 'cut';

/** One SSE event: optional `event:` name and a `data:` payload (objects are JSON-encoded). */
export interface SseFrame {
  event?: string;
  data: unknown;
}

/** Encodes a frame exactly as the providers do: `event: x\n` (when named), `data: …\n`, then a blank line. */
export function encodeSse(frame: SseFrame): string {
  const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data);
  return `${frame.event ? `event: ${frame.event}\n` : ''}data: ${data}\n\n`;
}

/** A `text/event-stream` answer made of `frames`, ended as `ending` says. */
export function sseReply(frames: readonly SseFrame[], ending: StreamEnding = 'end'): Reply {
  return (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const body = frames.map(encodeSse).join('');
    if (ending === 'end') res.end(body);
    else if (ending === 'stall') res.write(body);
    // Destroy only once the frames have left, so the client sees a stream cut mid-way rather than no answer.
    else res.write(body, () => res.socket?.destroy());
  };
}

/** A JSON answer with a status, as providers send errors. */
export function jsonReply(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Reply {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}
