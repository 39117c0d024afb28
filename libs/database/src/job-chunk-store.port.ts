/** One stored `job.delta`: `seq` counts from 0 per attempt, and a 0 after others means the text started over. */
export interface JobChunk {
  jobId: string;
  attempt: number;
  seq: number;
  content: string;
}

/** The chunks of each job, kept for replay to late and resuming stream subscribers. */
export interface JobChunkStore {
  /**
   * Stores chunks in one statement per batch; a chunk already stored (a redelivery) is skipped. A seq-0 chunk
   * that differs from the attempt's stored seq 0 is a restart (a fallback mid-stream): the abandoned chunks of
   * that attempt are deleted first, in the same transaction. A restart whose first chunk equals the abandoned
   * one cannot be told from a duplicate; a replay then checks its text against the final result.
   */
  insertMany(chunks: readonly JobChunk[]): Promise<void>;
  /** A job's chunks of its latest attempt, in seq order (what a replay sends). */
  latestAttempt(jobId: string): Promise<JobChunk[]>;
}

export const JOB_CHUNK_STORE = Symbol('JOB_CHUNK_STORE');
