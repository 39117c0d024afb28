import type { JobChunk, JobChunkStore } from './job-chunk-store.port';
import type { PostgresClient } from './postgres.client';
import { chunkRuns, chunksOfRuns, type ChunkRun } from './chunk-runs.util';

interface ChunkRow {
  job_id: string;
  attempt: number;
  seq: number;
  content: string;
  following: string[] | null;
}

/**
 * JobChunkStore on PostgreSQL: a batch is one DELETE (only with a seq 0 in it) and one INSERT … ON CONFLICT DO
 * NOTHING, of one row per run of a job's consecutive chunks (see chunk-runs.util.ts).
 */
export class PostgresJobChunkStore implements JobChunkStore {
  constructor(private readonly db: PostgresClient) {}

  async insertMany(chunks: readonly JobChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const { kept, restarted } = afterLastRestart(chunks);
    const runs = chunkRuns(kept);
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
      // A run's later texts travel as one JSON array each: unnest cannot take a ragged two-dimensional array.
      await tx.count(
        `INSERT INTO job_chunks (job_id, attempt, seq, content, following)
         SELECT job_id, attempt, seq, content, CASE WHEN f IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(f::jsonb)) END
         FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::text[]) AS r(job_id, attempt, seq, content, f)
         ON CONFLICT (job_id, attempt, seq) DO NOTHING`,
        [
          runs.map((r) => r.jobId),
          runs.map((r) => r.attempt),
          runs.map((r) => r.seq),
          runs.map((r) => r.texts[0]!),
          runs.map((r) => (r.texts.length > 1 ? JSON.stringify(r.texts.slice(1)) : null)),
        ],
      );
    });
  }

  async latestAttempt(jobId: string): Promise<JobChunk[]> {
    const rows = await this.db.rows<ChunkRow>(
      `SELECT job_id, attempt, seq, content, following FROM job_chunks
       WHERE job_id = $1 AND attempt = (SELECT max(attempt) FROM job_chunks WHERE job_id = $1)
       ORDER BY seq`,
      [jobId],
    );
    return chunksOfRuns(rows.map((r): ChunkRun => ({ jobId: r.job_id, attempt: r.attempt, seq: r.seq, texts: [r.content, ...(r.following ?? [])] })));
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
