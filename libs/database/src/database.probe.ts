import { Client } from 'pg';

/** A server that is up answers within this; longer counts as unreachable (a black-holed address). */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Rejects unless PostgreSQL at `url` accepts a connection and answers a query now: what a service checks before it
 * starts, so that it can wait for its database instead of failing. The error names the cause, never the URL.
 */
export async function probeDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const e = err as { code?: string; message?: string; errors?: Array<{ code?: string }> };
    // A refused dual-stack connect is an AggregateError with an empty message.
    throw new Error(e.code ?? e.errors?.[0]?.code ?? (e.message || 'no answer'));
  } finally {
    await client.end().catch(() => undefined);
  }
}
