import { isUuid } from '@conveyor/contracts';

/**
 * Seed 004's `session_id`: the job id with a `sess_` prefix. `GET /stream/{id}` serves both seed 001's task ids
 * and seed 004's session ids at the root, and the prefix is what tells it which event format the client expects,
 * without a lookup. The job is the same either way.
 */
const PREFIX = 'sess_';

export function sessionIdOf(jobId: string): string {
  return `${PREFIX}${jobId}`;
}

/** The job id of a session id, or null when `id` is not one. */
export function jobIdOfSession(id: string): string | null {
  if (!id.startsWith(PREFIX)) return null;
  const jobId = id.slice(PREFIX.length);
  return isUuid(jobId) ? jobId : null;
}

export function isSessionId(id: string): boolean {
  return id.startsWith(PREFIX);
}
