import { Agent, request } from 'node:http';
import { FirstTokenWatcher } from './sse-first-token.util';

/** One HTTP endpoint measured at concurrency 1 over a keep-alive connection of its own. */
export interface TimedEndpoint {
  url: URL;
  headers: Record<string, string>;
  agent: Agent;
}

export function timedEndpoint(url: string, headers: Record<string, string> = {}): TimedEndpoint {
  return { url: new URL(url), headers, agent: new Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 30_000 }) };
}

export interface Timing {
  status: number;
  /** Request start to the last byte of the answer. */
  totalMs: number;
  /** Request start to the first content token (streams only; null if none came). */
  firstTokenMs: number | null;
  /** Why the answer does not count (non-200, no content, an error frame, a socket error); null if it does. */
  fault: string | null;
}

/**
 * POSTs a JSON body and times it with node:http over a keep-alive agent: the same client code and the same
 * per-request work for every target, so differences are the server's. Non-streamed answers are checked to carry a
 * completion only after the clock stops; streamed ones are watched for the first content token as bytes arrive.
 */
export function timedPost(endpoint: TimedEndpoint, body: string, stream: boolean): Promise<Timing> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstTokenMs: number | null = null;
    const watcher = new FirstTokenWatcher();
    const req = request(endpoint.url, {
      method: 'POST',
      agent: endpoint.agent,
      headers: { ...endpoint.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (piece: string) => {
        if (stream) {
          if (watcher.feed(piece)) firstTokenMs = performance.now() - started;
        } else text += piece;
      });
      res.on('end', () => {
        const totalMs = performance.now() - started;
        const status = res.statusCode ?? 0;
        const fault = status !== 200 ? `HTTP ${status}` : stream ? streamFault(watcher) : completionFault(text);
        resolve({ status, totalMs, firstTokenMs, fault });
      });
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, totalMs: performance.now() - started, firstTokenMs, fault: err.message }));
    });
    req.on('error', (err) => resolve({ status: 0, totalMs: performance.now() - started, firstTokenMs, fault: err.message }));
    req.end(body);
  });
}

function streamFault(watcher: FirstTokenWatcher): string | null {
  if (watcher.error) return `error frame ${watcher.error}`;
  if (!watcher.sawToken) return 'no content token';
  return watcher.sawDone ? null : 'no [DONE]';
}

function completionFault(text: string): string | null {
  try {
    const content = (JSON.parse(text) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
    return typeof content === 'string' && content.length > 0 ? null : 'no completion content';
  } catch {
    return `not JSON: ${text.slice(0, 120)}`;
  }
}
