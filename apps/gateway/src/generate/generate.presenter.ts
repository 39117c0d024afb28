import type { JobRecord, JobStatus } from '@conveyor/contracts';
import type { TaskMetrics, TaskQueuedView, TaskResultView, TaskStatusView } from './generate-views.schema';

type TaskStatus = TaskStatusView['status'];

export const TASK_MESSAGES = {
  queued: 'Your request is being processed. Use the task_id to check status.',
  waiting: 'Task is waiting in queue',
  processing: 'Task is currently being processed',
  completed: 'Task completed successfully',
  cancelled: 'Task was cancelled',
  expired: 'Task expired before it started',
} as const;

const STATUS: Record<JobStatus, TaskStatus> = {
  queued: 'queued',
  running: 'processing',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'failed',
  expired: 'failed',
};

/** A job error code as seed 001's `error_type` (an exception class name there): `provider_error` → `ProviderError`. */
export function errorTypeOf(code: string | undefined): string {
  if (!code) return 'InternalError';
  return code
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export function presentTaskQueued(jobId: string): TaskQueuedView {
  return { status: 'queued', task_id: jobId, message: TASK_MESSAGES.queued };
}

export function presentTaskStatus(job: JobRecord): TaskStatusView {
  return { status: STATUS[job.status], task_id: job.id, message: statusMessage(job) };
}

/** `GET /result`: the seed's three forms. A cancelled job is an error of type `JobCancelled`, an expired one `JobExpired`. */
export function presentTaskResult(job: JobRecord): TaskResultView {
  if (job.status === 'completed' && job.result) {
    return { status: 'completed', task_id: job.id, result: job.result.message.content, metrics: metricsOf(job) };
  }
  if (job.status === 'failed') {
    return { status: 'error', task_id: job.id, error_message: job.error?.message ?? 'unknown error', error_type: errorTypeOf(job.error?.code) };
  }
  if (job.status === 'cancelled') return { status: 'error', task_id: job.id, error_message: TASK_MESSAGES.cancelled, error_type: 'JobCancelled' };
  if (job.status === 'expired') return { status: 'error', task_id: job.id, error_message: TASK_MESSAGES.expired, error_type: 'JobExpired' };
  const status = job.status === 'queued' ? 'queued' : 'processing';
  return { status, task_id: job.id, message: statusMessage(job) };
}

/** Seed 001's metrics, in seconds: waiting in the queue, generating, and both; tokens per second of generation. */
export function metricsOf(job: JobRecord): TaskMetrics {
  const seconds = (from: Date | null, to: Date | null) => (from && to ? Math.max(0, to.getTime() - from.getTime()) / 1000 : 0);
  const started = job.startedAt ?? job.createdAt;
  const ended = job.completedAt ?? job.updatedAt;
  const processing = seconds(started, ended);
  const usage = job.result?.usage;
  const completion = usage?.completion_tokens ?? 0;
  return {
    queue_wait_time: seconds(job.createdAt, started),
    processing_time: processing,
    total_time: seconds(job.createdAt, ended),
    prompt_tokens: usage?.prompt_tokens ?? 0,
    completion_tokens: completion,
    tokens_per_second: processing > 0 ? Math.round((completion / processing) * 100) / 100 : 0,
  };
}

function statusMessage(job: JobRecord): string {
  switch (job.status) {
    case 'queued':
      return TASK_MESSAGES.waiting;
    case 'running':
      return TASK_MESSAGES.processing;
    case 'completed':
      return TASK_MESSAGES.completed;
    case 'failed':
      return `Task failed: ${job.error?.message ?? 'unknown error'}`;
    case 'cancelled':
      return TASK_MESSAGES.cancelled;
    case 'expired':
      return TASK_MESSAGES.expired;
  }
}
