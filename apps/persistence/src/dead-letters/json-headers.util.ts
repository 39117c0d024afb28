/** How deep header tables are followed (the broker's `x-death` is two levels: a list of tables). */
const MAX_DEPTH = 6;

/**
 * A message's headers as JSON, to keep with its dead letter: byte strings as UTF-8 text, dates as ISO text, 64-bit
 * integers as numbers, nested tables and arrays followed; anything else (functions, symbols) is left out.
 */
export function jsonHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return toJson(headers, 0) as Record<string, unknown>;
}

function toJson(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return value.map((item) => toJson(item, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const json = toJson(item, depth + 1);
    if (json !== undefined) out[key] = json;
  }
  return out;
}
