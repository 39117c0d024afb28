import type { JobRecord } from '@conveyor/contracts';
import { errorTypeOf, metricsOf, presentTaskQueued, presentTaskResult, presentTaskStatus } from './generate.presenter';
import { TaskQueuedSchema, TaskResultSchema, TaskStatusSchema } from './generate-views.schema';

const ID = '0190a000-0000-7000-8000-000000000001';
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

function job(overrides: Partial<JobRecord>): JobRecord {
  return {
    id: ID,
    tenantId: 't',
    model: 'simulated',
    priority: 'normal',
    messages: [{ role: 'user', content: 'hi' }],
    params: {},
    metadata: {},
    traceId: null,
    createdAt: at(0),
    status: 'queued',
    result: null,
    error: null,
    attempts: 0,
    attemptsLog: [],
    partialResult: null,
    workerId: null,
    updatedAt: at(0),
    startedAt: null,
    completedAt: null,
    failedAt: null,
    cancelledAt: null,
    expiredAt: null,
    ...overrides,
  };
}

const completed = job({
  status: 'completed',
  startedAt: at(500),
  completedAt: at(2_800),
  result: {
    message: { role: 'assistant', content: 'def reverse(s): return s[::-1]' },
    finish_reason: 'stop',
    usage: { prompt_tokens: 12, completion_tokens: 45, total_tokens: 57 },
    model: 'simulated',
  } as JobRecord['result'],
});

describe("seed 001's task views", () => {
  it("answers a submit with the seed's queued body", () => {
    expect(TaskQueuedSchema.parse(presentTaskQueued(ID))).toEqual({
      status: 'queued',
      task_id: ID,
      message: 'Your request is being processed. Use the task_id to check status.',
    });
  });

  it.each([
    ['queued', 'queued'],
    ['running', 'processing'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['cancelled', 'failed'],
    ['expired', 'failed'],
  ] as const)('reports a %s job as %s', (status, seedStatus) => {
    const view = presentTaskStatus(job({ status, error: status === 'failed' ? { code: 'provider_error', message: 'bad key' } : null }));
    expect(TaskStatusSchema.parse(view)).toMatchObject({ status: seedStatus, task_id: ID });
  });

  it("gives the result with the seed's metrics, in seconds", () => {
    const view = presentTaskResult(completed);
    expect(TaskResultSchema.parse(view)).toEqual({
      status: 'completed',
      task_id: ID,
      result: 'def reverse(s): return s[::-1]',
      metrics: { queue_wait_time: 0.5, processing_time: 2.3, total_time: 2.8, prompt_tokens: 12, completion_tokens: 45, tokens_per_second: 19.57 },
    });
  });

  it('answers an unfinished task with its state and message', () => {
    expect(presentTaskResult(job({ status: 'running', startedAt: at(10) }))).toEqual({
      status: 'processing',
      task_id: ID,
      message: 'Task is currently being processed',
    });
    expect(presentTaskResult(job({}))).toEqual({ status: 'queued', task_id: ID, message: 'Task is waiting in queue' });
  });

  it('answers a failed or cancelled task with the error form', () => {
    const failed = presentTaskResult(job({ status: 'failed', error: { code: 'deadline_exceeded', message: 'too slow' } }));
    expect(TaskResultSchema.parse(failed)).toEqual({ status: 'error', task_id: ID, error_message: 'too slow', error_type: 'DeadlineExceeded' });
    expect(presentTaskResult(job({ status: 'cancelled' }))).toMatchObject({ status: 'error', error_type: 'JobCancelled' });
    expect(presentTaskResult(job({ status: 'expired' }))).toMatchObject({ status: 'error', error_type: 'JobExpired' });
  });

  it('names error types as the seed names its exceptions', () => {
    expect(errorTypeOf('providers_unavailable')).toBe('ProvidersUnavailable');
    expect(errorTypeOf(undefined)).toBe('InternalError');
  });

  it('never reports negative or undefined times', () => {
    expect(metricsOf(job({ status: 'completed', completedAt: at(1_000) }))).toMatchObject({
      queue_wait_time: 0,
      processing_time: 1,
      total_time: 1,
      tokens_per_second: 0,
    });
  });
});
