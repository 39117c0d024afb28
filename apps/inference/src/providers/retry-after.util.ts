/** The part of a fetch `Headers` object (or the SDKs' copies of one) this module reads. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * How long an upstream asked us to wait, in milliseconds, from its response headers. `retry-after-ms` (OpenAI's
 * and Anthropic's precise form) wins over `retry-after`, which RFC 9110 allows as delta-seconds or an HTTP date.
 * Returns undefined when neither is present or parseable, so the router falls back to its own backoff.
 */
export function retryAfterMs(headers: HeaderSource | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const precise = parseNonNegative(headers.get('retry-after-ms'));
  if (precise !== undefined) return Math.round(precise);
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  const seconds = parseNonNegative(raw);
  if (seconds !== undefined) return Math.round(seconds * 1000);
  // Only an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT") has letters; Date.parse would read "-3" as a year.
  const date = /[a-z]/i.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Google's APIs say when to retry in the error body (`google.rpc.RetryInfo`, e.g. `"retryDelay": "30s"`) rather than
 * in a header; this reads that delay from a parsed error body.
 */
export function googleRetryDelayMs(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as Array<Record<string, unknown>>) {
    const delay = detail?.['retryDelay'];
    if (typeof delay !== 'string' || !delay.endsWith('s')) continue;
    const seconds = parseNonNegative(delay.slice(0, -1));
    if (seconds !== undefined) return Math.round(seconds * 1000);
  }
  return undefined;
}

function parseNonNegative(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}
