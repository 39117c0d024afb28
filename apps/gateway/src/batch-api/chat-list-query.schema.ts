import { z } from 'zod';
import { isUuid } from '@conveyor/contracts';

/** `GET /v1/chat`'s query string: a page size, and the `last_id` of the page before (pairs come newest first). */
export const ChatListQuerySchema = z.object({
  limit: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
  after: z.string().refine(isUuid, 'must be a job id (the last_id of the page before)').optional(),
});
export type ChatListQuery = z.infer<typeof ChatListQuerySchema>;
