import { presentEmbeddings, type EmbeddingListView } from './embedding-view.schema';
import type { JobResult } from './job-events.schema';
import type { ChatCompletionView, JobAcceptedView, JobStatusView, JobView, QueueStandingView } from './job-view';
import type { JobRecord } from './job-record';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const links = (id: string) => ({ self: `/v1/jobs/${id}`, status: `/v1/jobs/${id}/status`, cancel: `/v1/jobs/${id}/cancel` });

/** The 202 answer to a submit. */
export function presentAccepted(job: Pick<JobRecord, 'id' | 'model' | 'priority' | 'createdAt'>): JobAcceptedView {
  return {
    object: 'job',
    job_id: job.id,
    status: 'queued',
    model: job.model,
    priority: job.priority,
    created_at: job.createdAt.toISOString(),
    links: links(job.id),
  };
}

export function presentStatus(job: JobRecord, standing: QueueStandingView | null = null): JobStatusView {
  const view: JobStatusView = { job_id: job.id, status: job.status, updated_at: job.updatedAt.toISOString() };
  return job.status === 'queued' && standing ? { ...view, queue: standing } : view;
}

/**
 * The whole job, with the result as OpenAI's chat.completion object (an embeddings job's as OpenAI's embedding
 * list, base64) and the timing metrics of seed 001; a queued
 * job's standing in its band when the caller computed it.
 */
export function presentJob(job: JobRecord, standing: QueueStandingView | null = null): JobView {
  const endedAt = job.completedAt ?? job.failedAt ?? (job.startedAt ? job.cancelledAt : null);
  const processingMs = job.startedAt && endedAt ? endedAt.getTime() - job.startedAt.getTime() : null;
  const completionTokens = job.result?.usage.completion_tokens ?? null;
  return {
    object: 'job',
    job_id: job.id,
    status: job.status,
    model: job.model,
    priority: job.priority,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    timestamps: {
      queued: job.createdAt.toISOString(),
      started: iso(job.startedAt),
      completed: iso(job.completedAt),
      failed: iso(job.failedAt),
      cancelled: iso(job.cancelledAt),
      expired: iso(job.expiredAt),
    },
    expires_at: iso(job.expiresAt ?? null),
    queue: job.status === 'queued' ? standing : null,
    attempts: job.attempts,
    provider_attempts: job.attemptsLog,
    partial_result: job.partialResult,
    result: job.result && job.completedAt ? presentResult(job) : null,
    error: job.error,
    metrics: {
      queue_wait_ms: job.startedAt ? job.startedAt.getTime() - job.createdAt.getTime() : null,
      processing_ms: processingMs,
      tokens_per_second: completionTokens !== null && processingMs ? Math.round((completionTokens / (processingMs / 1000)) * 100) / 100 : null,
    },
    metadata: job.metadata,
    batch_id: job.batch?.id ?? null,
    batch: job.batch ? { mode: job.batch.mode, size: job.batch.size, index: job.batch.index, fallback: job.batch.fallback } : null,
    links: links(job.id),
  };
}

/** An embeddings job's vectors in base64, the compact form, so a caller who did not wait for them can still read them. */
function presentResult(job: JobRecord): ChatCompletionView | EmbeddingListView {
  if (job.params.embedding) return presentEmbeddings(job.model, job.result!, 'base64');
  return presentChatCompletion(job.id, job.result!, job.completedAt!);
}

/**
 * A finished job's result as OpenAI's `chat.completion`, id `chatcmpl-<job_id>`. Also the answer of
 * `POST /openai/v1/chat/completions`, so waiting for a job and reading it later give the same object.
 */
export function presentChatCompletion(jobId: string, result: JobResult, completedAt: Date): ChatCompletionView {
  return {
    id: `chatcmpl-${jobId}`,
    object: 'chat.completion',
    created: Math.floor(completedAt.getTime() / 1000),
    model: result.model,
    choices: [{ index: 0, message: presentMessage(result.message), finish_reason: result.finish_reason }],
    usage: result.usage,
  };
}

/** OpenAI's assistant message: a turn that only called tools has `content: null` beside its `tool_calls`. */
function presentMessage(message: JobResult['message']): ChatCompletionView['choices'][number]['message'] {
  if (!message.tool_calls?.length) return { role: 'assistant', content: message.content };
  return { role: 'assistant', content: message.content === '' ? null : message.content, tool_calls: message.tool_calls };
}
