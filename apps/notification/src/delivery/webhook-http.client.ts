import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from '@conveyor/webhooks';
import { classifyAttemptError, type AttemptErrorClass } from './attempt-error.util';

/** What one attempt came to. */
export interface AttemptResult {
  /** The receiver's status, or null when no response came. */
  statusCode: number | null;
  latencyMs: number;
  /** The Retry-After of the answer, in ms, when it had a valid one. */
  retryAfterMs: number | null;
  /** Why the attempt failed without a response, as a class only (never an address or a driver message). */
  error: AttemptErrorClass | null;
}

/** A `lookup` that answers the address the SSRF guard checked, whatever name is asked: DNS is never asked again. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; null if absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: number = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * POSTs one signed webhook body to a checked destination. The connection goes to the pinned address (the
 * request still names the host, in `Host` and in TLS SNI and certificate checks), redirects are never
 * followed (a 3xx is just a status), no connection is reused, and the whole exchange has `timeoutMs`.
 */
export function postWebhook(url: URL, pinned: ResolvedAddress, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: elapsed() });
    };
    const req = send(url, {
      method: 'POST',
      agent: false,
      lookup: pinnedLookup(pinned),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Conveyor-Webhooks/1' },
    });
    const timer = setTimeout(() => {
      finish({ statusCode: null, retryAfterMs: null, error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res: IncomingMessage) => {
      // The body is not needed: drain it so the socket closes cleanly, and settle on the status.
      res.resume();
      res.on('end', () => finish({ statusCode: res.statusCode ?? null, retryAfterMs: retryAfterMs(res.headers['retry-after']), error: null }));
      res.on('error', () => finish({ statusCode: res.statusCode ?? null, retryAfterMs: null, error: null }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ statusCode: null, retryAfterMs: null, error: classifyAttemptError(err) }));
    req.end(body);
  });
}
