import type { Client } from 'pg';
import type { Cluster } from '../support/cluster.util';

export interface CrashLoopResult {
  kills: number;
  finalStatus: string;
  errorCode: string | null;
}

/**
 * Makes one job a message that crashes its consumer: whenever the job is running on a worker with a higher attempt
 * than last time, that worker is SIGKILLed (and a replacement started), as if the job itself brought it down. The
 * broker must then dead-letter the message after its delivery limit, and the job end `failed`.
 */
export async function crashWhileRunning(cluster: Cluster, db: Client, jobId: string, timeoutMs: number): Promise<CrashLoopResult> {
  const deadline = Date.now() + timeoutMs;
  let lastAttempt = 0;
  let kills = 0;
  const replacements: Promise<unknown>[] = [];
  for (;;) {
    const { rows } = await db.query<{ status: string; worker_id: string | null; attempts: number; error: { code: string } | null }>(
      `SELECT status, worker_id, attempts, error FROM jobs WHERE id = $1`,
      [jobId],
    );
    const job = rows[0];
    if (!job || ['completed', 'failed', 'cancelled'].includes(job.status) || Date.now() > deadline) {
      await Promise.all(replacements);
      return { kills, finalStatus: job?.status ?? 'missing', errorCode: job?.error?.code ?? null };
    }
    if (job.status === 'running' && job.attempts > lastAttempt && job.worker_id) {
      const victim = cluster.running('inference').find((s) => job.worker_id === `${cluster.spec.name}-${s.name}`);
      if (victim) {
        lastAttempt = job.attempts;
        await victim.kill();
        kills++;
        replacements.push(cluster.addInference().catch(() => undefined));
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
