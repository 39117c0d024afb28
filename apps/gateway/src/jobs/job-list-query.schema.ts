import { z } from 'zod';
import { JOB_STATUSES, isUuid } from '@conveyor/contracts';

export const JOB_LIST_MAX = 100;

/** Query string of `GET /v1/jobs`. */
export const JobListQuerySchema = z.object({
  status: z.enum(JOB_STATUSES, { error: `must be one of: ${JOB_STATUSES.join(', ')}` }).optional(),
  limit: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(JOB_LIST_MAX, `must be at most ${JOB_LIST_MAX}`)
    .default(20),
  after: z.string().refine(isUuid, 'must be a job id').optional(),
});
export type JobListQuery = z.infer<typeof JobListQuerySchema>;
