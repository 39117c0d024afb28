import { messageText, type ChatCompletionRequest, type JobRecord, type JobResult, type NewJob } from '@conveyor/contracts';
import type { ChatEntry, GenerationResponse } from './batch-api-views.schema';
import { bandOfPriority, priorityLevelOf, priorityOfBand } from './query-priority.util';
import type { QueryRequest } from './query-request.schema';

/** Where a query's own fields are kept on its job (metadata): the seed's request id, user name and creation time. */
export const QUERY_METADATA = { requestId: 'request_id', username: 'username', createdAt: 'client_created_at' } as const;

/** The job a `POST /v1/query` becomes: the prompt as one user message, in the priority's band, the seed's fields in metadata. */
export function queryJobOf(request: QueryRequest): ChatCompletionRequest {
  const metadata: Record<string, string> = { [QUERY_METADATA.username]: request.username };
  if (request.request_id) metadata[QUERY_METADATA.requestId] = request.request_id;
  if (request.created_at) metadata[QUERY_METADATA.createdAt] = request.created_at;
  return {
    model: request.model,
    messages: [{ role: 'user', content: request.prompt }],
    priority: bandOfPriority(request.priority),
    user: request.username,
    metadata,
  };
}

/** The seed's GenerationResponse of a completed job (a query's, or any other job of the tenant). */
export function presentGeneration(job: NewJob, result: JobResult, completedAt: Date, batchId: string | null): GenerationResponse {
  return {
    request_id: job.metadata[QUERY_METADATA.requestId] ?? job.id,
    username: job.metadata[QUERY_METADATA.username] ?? job.params.user ?? null,
    text: result.message.content ?? '',
    tokens_used: result.usage.total_tokens,
    latency_ms: Math.max(0, completedAt.getTime() - job.createdAt.getTime()),
    created_at: job.metadata[QUERY_METADATA.createdAt] ?? job.createdAt.toISOString(),
    completed_at: completedAt.toISOString(),
    job_id: job.id,
    priority: priorityOfBand(job.priority),
    batch_id: batchId,
  };
}

/** One of the tenant's jobs as the seed's chat entry: the request as asked, and the response once it completed. */
export function presentChatEntry(job: JobRecord): ChatEntry {
  const prompt = [...job.messages].reverse().find((m) => m.role === 'user');
  const completed = job.status === 'completed' && job.result !== null;
  const completedAt = job.completedAt ?? job.updatedAt;
  return {
    timestamp: (completed ? completedAt : job.createdAt).toISOString(),
    batch_id: job.batch?.id ?? null,
    job_id: job.id,
    status: job.status,
    request: {
      request_id: job.metadata[QUERY_METADATA.requestId] ?? job.id,
      username: job.metadata[QUERY_METADATA.username] ?? job.params.user ?? null,
      prompt: prompt ? messageText(prompt) : '',
      priority: priorityLevelOf(job.priority),
      created_at: job.metadata[QUERY_METADATA.createdAt] ?? job.createdAt.toISOString(),
    },
    response: completed ? presentGeneration(job, job.result!, completedAt, job.batch?.id ?? null) : null,
  };
}
