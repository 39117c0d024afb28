import { connect } from 'amqplib';
import { Client } from 'pg';

/** How long each server gets to answer before the run stops: generous, as a shared server under load may be slow to. */
const PROBE_TIMEOUT_MS = 15_000;

/** The URL with its password replaced, safe to print. */
function masked(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer)) as Promise<T>;
}

async function probeBroker(url: string): Promise<string | null> {
  try {
    const connection = await withTimeout(connect(url, { timeout: PROBE_TIMEOUT_MS }));
    await connection.close();
    return null;
  } catch (err) {
    return (
      `RabbitMQ is not reachable at ${masked(url)} (${describe(err)}): install RabbitMQ ≥ 3.10 and start it ` +
      `(Debian: apt-get install rabbitmq-server && service rabbitmq-server start), or point BROKER_URL at one`
    );
  }
}

async function probeDatabase(url: string): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await withTimeout(client.connect());
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return (
      `PostgreSQL is not reachable at ${masked(url)} (${describe(err)}): install PostgreSQL ≥ 15 and start it ` +
      `(Debian: apt-get install postgresql && service postgresql start; the postgres user with trust auth), or point DATABASE_URL at one`
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  return e.code ?? e.errors?.[0]?.code ?? (e.message || String(err));
}

/**
 * Checks that the broker and the database the tests need answer; answers one line per server that does not,
 * saying what to install or start (empty when both answer).
 */
export async function unreachableServers(brokerUrl: string, databaseUrl: string): Promise<string[]> {
  const problems = await Promise.all([probeBroker(brokerUrl), probeDatabase(databaseUrl)]);
  return problems.filter((p): p is string => p !== null);
}
