import { Client } from 'pg';

/**
 * Write counters the audit installs in a cluster's database before any load: every write that puts a job into
 * a terminal state (or changes a terminal job's result, error or partial result), and every usage record
 * inserted, is logged with the job id. The product's own guards (conditional UPDATEs, the usage key) make a
 * second write impossible *if they work*; these triggers are how the audit sees whether they did, instead of
 * trusting the schema to say so.
 */
const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS chaos_terminal_writes (job_id uuid NOT NULL, old_status text NOT NULL, new_status text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  `CREATE TABLE IF NOT EXISTS chaos_usage_writes (job_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  `CREATE OR REPLACE FUNCTION chaos_log_terminal() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN INSERT INTO chaos_terminal_writes (job_id, old_status, new_status) VALUES (NEW.id, OLD.status, NEW.status); RETURN NULL; END $$`,
  `CREATE OR REPLACE FUNCTION chaos_log_usage() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN INSERT INTO chaos_usage_writes (job_id) VALUES (NEW.job_id); RETURN NULL; END $$`,
  `DROP TRIGGER IF EXISTS chaos_terminal ON jobs`,
  `CREATE TRIGGER chaos_terminal AFTER UPDATE ON jobs FOR EACH ROW
     WHEN (NEW.status IN ('completed', 'failed', 'cancelled') AND (OLD.status IS DISTINCT FROM NEW.status
       OR OLD.result IS DISTINCT FROM NEW.result OR OLD.error IS DISTINCT FROM NEW.error OR OLD.partial_result IS DISTINCT FROM NEW.partial_result))
     EXECUTE FUNCTION chaos_log_terminal()`,
  `DROP TRIGGER IF EXISTS chaos_usage ON usage_records`,
  `CREATE TRIGGER chaos_usage AFTER INSERT ON usage_records FOR EACH ROW EXECUTE FUNCTION chaos_log_usage()`,
];

export async function installAuditTriggers(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const sql of STATEMENTS) await client.query(sql);
  } finally {
    await client.end();
  }
}
