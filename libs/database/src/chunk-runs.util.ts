import type { JobChunk } from './job-chunk-store.port';

/** Consecutive chunks of one job's attempt, stored as one row: `texts[i]` is the chunk with seq `seq + i`. */
export interface ChunkRun {
  jobId: string;
  attempt: number;
  seq: number;
  texts: string[];
}

/**
 * Groups a batch's chunks (already cut at their last restart) into runs: per job and attempt, in seq order, a new
 * run wherever a seq is missing. A seq that comes twice (a redelivery within the batch) keeps its first text.
 */
export function chunkRuns(chunks: readonly JobChunk[]): ChunkRun[] {
  const byAttempt = new Map<string, Map<number, JobChunk>>();
  for (const c of chunks) {
    const key = `${c.jobId}/${c.attempt}`;
    const seqs = byAttempt.get(key) ?? new Map<number, JobChunk>();
    if (!seqs.has(c.seq)) seqs.set(c.seq, c);
    byAttempt.set(key, seqs);
  }
  const runs: ChunkRun[] = [];
  for (const seqs of byAttempt.values()) {
    let run: ChunkRun | null = null;
    for (const c of [...seqs.values()].sort((a, b) => a.seq - b.seq)) {
      if (run && c.seq === run.seq + run.texts.length) run.texts.push(c.content);
      else runs.push((run = { jobId: c.jobId, attempt: c.attempt, seq: c.seq, texts: [c.content] }));
    }
  }
  return runs;
}

/**
 * The chunks stored runs hold, one per seq, in seq order. Runs may overlap (a redelivered batch gathered
 * differently from the first time); both hold the same text for a seq, and the first in seq order is kept.
 */
export function chunksOfRuns(runs: readonly ChunkRun[]): JobChunk[] {
  const bySeq = new Map<string, JobChunk>();
  for (const run of runs) {
    run.texts.forEach((content, i) => {
      const seq = run.seq + i;
      const key = `${run.attempt}/${seq}`;
      if (!bySeq.has(key)) bySeq.set(key, { jobId: run.jobId, attempt: run.attempt, seq, content });
    });
  }
  return [...bySeq.values()].sort((a, b) => a.attempt - b.attempt || a.seq - b.seq);
}
