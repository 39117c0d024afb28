import type { JobCompleted } from '@conveyor/contracts';

/** A worker's `job.completed` for `jobId` (tenant `t`), with `content` as its text; `extra` adds or replaces fields. */
export function completedEvent(jobId: string, content = 'x', extra: Partial<JobCompleted> = {}): JobCompleted {
  return {
    job_id: jobId,
    tenant_id: 't',
    attempt: 1,
    worker_id: 'w',
    started_at: '2026-01-01T00:00:00.000Z',
    completed_at: '2026-01-01T00:00:01.000Z',
    result: {
      message: { role: 'assistant', content },
      finish_reason: 'stop',
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      provider: 'p',
      model: 'm',
    },
    ...extra,
  };
}
