import { isTerminal, type ChatCompletionRequest, type JobRecord, type JobStatus } from '@conveyor/contracts';
import type { ChatRequest } from './chat-request.schema';
import type { ChatQueuedView, ChatTaskView } from './chat-views.schema';
import { sessionIdOf } from './session-id.util';

const STATE: Record<JobStatus, ChatTaskView['status']> = {
  queued: 'PENDING',
  running: 'STARTED',
  completed: 'SUCCESS',
  failed: 'FAILURE',
  cancelled: 'REVOKED',
  expired: 'REVOKED',
};

/** The job a chat message becomes: one user turn at the priority asked for. */
export function completionRequestOf(request: ChatRequest): ChatCompletionRequest {
  return { model: request.model, messages: [{ role: 'user', content: request.message }], priority: request.priority };
}

/** `stream_url` is where this gateway serves the session's stream, under the compat prefix when there is one. */
export function presentChatQueued(jobId: string, prefix: string): ChatQueuedView {
  const sessionId = sessionIdOf(jobId);
  return { status: 'queued', task_id: jobId, session_id: sessionId, stream_url: `${prefix}/stream/${sessionId}` };
}

export function presentChatTask(job: JobRecord): ChatTaskView {
  const result = job.status === 'completed' ? job.result : null;
  return {
    task_id: job.id,
    session_id: sessionIdOf(job.id),
    status: STATE[job.status],
    ready: isTerminal(job.status),
    model: job.model,
    priority: job.priority,
    result: result ? result.message.content : null,
    usage: result ? result.usage : null,
    error: errorOf(job),
  };
}

function errorOf(job: JobRecord): ChatTaskView['error'] {
  if (job.status === 'cancelled') return { code: 'job_cancelled', message: 'The task was cancelled.' };
  if (job.status === 'expired') return { code: 'job_expired', message: 'The task expired before it started.' };
  return job.error;
}
