import { z } from 'zod';

/**
 * How the inference worker ran a batch: `combined`, one provider call whose JSON reply is split back to the jobs
 * by index; `concurrent`, one call per job, started together.
 */
export const BATCH_MODES = ['combined', 'concurrent'] as const;
export type BatchMode = (typeof BATCH_MODES)[number];

/**
 * A job's place in the batch it ran in, carried on its outcome and stored on its row. `index` is the job's number
 * in the batch (from 0); `fallback` is true when a combined reply could not be split for this job and it was
 * answered by a call of its own.
 */
export const JobBatchSchema = z.object({
  id: z.uuid(),
  mode: z.enum(BATCH_MODES),
  size: z.number().int().positive(),
  index: z.number().int().nonnegative(),
  fallback: z.boolean(),
});

export type JobBatch = z.infer<typeof JobBatchSchema>;
