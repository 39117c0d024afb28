import type { JobChunk, JobChunkStore } from './job-chunk-store.port';
import type { PostgresClient } from './postgres.client';

interface ChunkRow {
  job_id: string;
  attempt: number;
  seq: number;
  content: string;
}

/** JobChunkStore on PostgreSQL: a batch is one DELETE (only with a seq 0 in it) and one INSERT … ON CONFLICT DO NOTHING. */
export class PostgresJobChunkStore implements JobChunkStore {
  constructor(private readonly db: PostgresClient) {}

  async insertMany(chunks: readonly JobChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const { kept, restarted } = afterLastRestart(chunks);
    await this.db.transaction(async (tx) => {
      if (restarted.length > 0) {
        // Only a seq 0 that differs from the stored one is a restart; an equal one is a duplicate, and one with
        // no stored seq 0 arrived late (another persistence replica took it) and simply joins the others.
        await tx.count(
          `DELETE FROM job_chunks c USING unnest($1::uuid[], $2::int[], $3::text[]) AS r(job_id, attempt, content)
           WHERE c.job_id = r.job_id AND c.attempt = r.attempt
             AND EXISTS (SELECT 1 FROM job_chunks z WHERE z.job_id = r.job_id AND z.attempt = r.attempt AND z.seq = 0 AND z.content <> r.content)`,
          [restarted.map((r) => r.jobId), restarted.map((r) => r.attempt), restarted.map((r) => r.content)],
        );
      }
      await tx.count(
        `INSERT INTO job_chunks (job_id, attempt, seq, content)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[])
         ON CONFLICT (job_id, attempt, seq) DO NOTHING`,
        [kept.map((c) => c.jobId), kept.map((c) => c.attempt), kept.map((c) => c.seq), kept.map((c) => c.content)],
      );
    });
  }

  async latestAttempt(jobId: string): Promise<JobChunk[]> {
    const rows = await this.db.rows<ChunkRow>(
      `SELECT job_id, attempt, seq, content FROM job_chunks
       WHERE job_id = $1 AND attempt = (SELECT max(attempt) FROM job_chunks WHERE job_id = $1)
       ORDER BY seq`,
      [jobId],
    );
    return rows.map((r) => ({ jobId: r.job_id, attempt: r.attempt, seq: r.seq, content: r.content }));
  }
}

/**
 * Splits a batch (in arrival order) at restarts: for each (job, attempt) whose chunks include a seq 0, only the
 * chunks from its last seq 0 on are kept, and that seq-0 chunk is answered as the attempt's possible restart.
 */
export function afterLastRestart(chunks: readonly JobChunk[]): { kept: JobChunk[]; restarted: JobChunk[] } {
  const key = (c: { jobId: string; attempt: number }) => `${c.jobId}/${c.attempt}`;
  const lastRestart = new Map<string, number>();
  chunks.forEach((c, i) => {
    if (c.seq === 0) lastRestart.set(key(c), i);
  });
  const kept = chunks.filter((c, i) => i >= (lastRestart.get(key(c)) ?? 0));
  const restarted = [...lastRestart.values()].map((i) => chunks[i]!);
  return { kept, restarted };
}
