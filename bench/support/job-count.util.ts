import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';

/** Jobs by status in a cluster's database: how benchmarks see "the row says completed". */
export class JobCounter {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<JobCounter> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    return new JobCounter(client);
  }

  async terminal(): Promise<{ completed: number; failed: number; cancelled: number }> {
    const { rows } = await this.client.query<{ status: string; n: string }>(
      `SELECT status, count(*)::text AS n FROM jobs WHERE status IN ('completed', 'failed', 'cancelled') GROUP BY status`,
    );
    const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return { completed: of('completed'), failed: of('failed'), cancelled: of('cancelled') };
  }

  /**
   * Polls every `everyMs` until `target` jobs are terminal or `timeoutMs` passes; `onTick` sees each count with
   * its time, which is how throughput is read off (the time the rows said so, not when a worker thought it).
   */
  async waitForTerminal(target: number, timeoutMs: number, onTick: (done: number, atMs: number) => void, everyMs = 50): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = await this.terminal();
      const done = t.completed + t.failed + t.cancelled;
      onTick(done, performance.now());
      if (done >= target || Date.now() > deadline) return done;
      await sleep(everyMs);
    }
  }

  query<R extends object>(sql: string, params: unknown[] = []): Promise<R[]> {
    return this.client.query<R>(sql, params).then((r) => r.rows);
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
