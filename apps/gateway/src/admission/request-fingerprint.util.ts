import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so the same request sent with its fields in another order matches. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What "the same request" means for an Idempotency-Key: the SHA-256 of the JSON body (keys in any order) and of
 * the `X-Priority` header, which changes the job as much as a field of the body would.
 */
export function requestFingerprint(body: unknown, priorityHeader: string | undefined): string {
  return createHash('sha256')
    .update(canonical(body ?? null))
    .update('\n')
    .update(priorityHeader?.trim() ?? '')
    .digest('hex');
}
