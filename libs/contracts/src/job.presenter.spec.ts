import { encodeEmbedding } from './embedding-vector.util';
import type { ChatCompletionView } from './job-view';
import type { JobRecord } from './job-record';
import { presentAccepted, presentJob, presentStatus } from './job.presenter';

const ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const CREATED = new Date('2025-03-01T12:00:00.000Z');
const STARTED = new Date('2025-03-01T12:00:01.500Z'); // 1 500 ms in the queue
const COMPLETED = new Date('2025-03-01T12:00:05.500Z'); // 4 000 ms processing

function queuedJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: ID,
    tenantId: 'tenant-alice',
    model: 'simulated',
    priority: 'high',
    messages: [{ role: 'user', content: 'Hello' }],
    params: { max_tokens: 64 },
    metadata: { ticket: '42' },
    traceId: null,
    createdAt: CREATED,
    status: 'queued',
    result: null,
    error: null,
    attempts: 0,
    attemptsLog: [],
    partialResult: null,
    workerId: null,
    updatedAt: CREATED,
    startedAt: null,
    completedAt: null,
    failedAt: null,
    cancelledAt: null,
    expiresAt: null,
    expiredAt: null,
    ...overrides,
  };
}

function completedJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return queuedJob({
    status: 'completed',
    attempts: 1,
    workerId: 'worker-1',
    updatedAt: COMPLETED,
    startedAt: STARTED,
    completedAt: COMPLETED,
    result: {
      message: { role: 'assistant', content: 'Hi there, how can I help?' },
      finish_reason: 'stop',
      usage: { prompt_tokens: 2, completion_tokens: 50, total_tokens: 52 },
      provider: 'simulated',
      model: 'simulated-1',
    },
    ...overrides,
  });
}

const LINKS = { self: `/v1/jobs/${ID}`, status: `/v1/jobs/${ID}/status`, cancel: `/v1/jobs/${ID}/cancel` };

describe('presentJob', () => {
  describe('a completed job', () => {
    const view = presentJob(completedJob());

    it('shows the result as an OpenAI chat.completion object', () => {
      expect(view.result).toEqual({
        id: `chatcmpl-${ID}`,
        object: 'chat.completion',
        created: Math.floor(COMPLETED.getTime() / 1000),
        model: 'simulated-1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there, how can I help?' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 2, completion_tokens: 50, total_tokens: 52 },
      });
    });

    it('computes queue wait, processing time and tokens per second from the timestamps', () => {
      expect(view.metrics).toEqual({ queue_wait_ms: 1_500, processing_ms: 4_000, tokens_per_second: 12.5 });
    });

    it('rounds tokens per second to two decimals', () => {
      const metrics = presentJob(completedJob({ completedAt: new Date(STARTED.getTime() + 3_000) })).metrics;
      expect(metrics.tokens_per_second).toBe(16.67);
    });

    it('shows every timestamp as ISO 8601 and the job fields', () => {
      expect(view).toEqual(
        expect.objectContaining({
          object: 'job',
          job_id: ID,
          status: 'completed',
          model: 'simulated',
          priority: 'high',
          created_at: CREATED.toISOString(),
          updated_at: COMPLETED.toISOString(),
          timestamps: {
            queued: CREATED.toISOString(),
            started: STARTED.toISOString(),
            completed: COMPLETED.toISOString(),
            failed: null,
            cancelled: null,
            expired: null,
          },
          attempts: 1,
          error: null,
          metadata: { ticket: '42' },
          links: LINKS,
        }),
      );
    });

    it('does not expose internal fields such as the tenant or the messages', () => {
      expect(view).not.toHaveProperty('tenantId');
      expect(view).not.toHaveProperty('tenant_id');
      expect(view).not.toHaveProperty('messages');
    });
  });

  describe('a queued job', () => {
    const view = presentJob(queuedJob());

    it('has no result', () => {
      expect(view.result).toBeNull();
    });

    it('has null metrics', () => {
      expect(view.metrics).toEqual({ queue_wait_ms: null, processing_ms: null, tokens_per_second: null });
    });

    it('shows its standing when the caller computed one, and none otherwise', () => {
      const standing = { position: 3, ahead_in_higher_bands: 10, estimated_start_at: '2025-03-01T12:00:09.000Z' };
      expect(presentJob(queuedJob(), standing).queue).toEqual(standing);
      expect(view.queue).toBeNull();
      expect(presentJob(completedJob(), standing).queue).toBeNull();
    });

    it('shows only the queued timestamp', () => {
      expect(view.timestamps).toEqual({ queued: CREATED.toISOString(), started: null, completed: null, failed: null, cancelled: null, expired: null });
    });
  });

  it('shows a running job its queue wait but no processing time yet', () => {
    const view = presentJob(queuedJob({ status: 'running', startedAt: STARTED, attempts: 1 }));
    expect(view.metrics).toEqual({ queue_wait_ms: 1_500, processing_ms: null, tokens_per_second: null });
    expect(view.result).toBeNull();
  });

  it('shows a failed job its error and processing time up to the failure, without tokens per second', () => {
    const failedAt = new Date(STARTED.getTime() + 2_000);
    const error = { code: 'provider_error', message: 'upstream 500' };
    const view = presentJob(queuedJob({ status: 'failed', startedAt: STARTED, failedAt, error, attempts: 5 }));
    expect(view.error).toEqual(error);
    expect(view.result).toBeNull();
    expect(view.metrics).toEqual({ queue_wait_ms: 1_500, processing_ms: 2_000, tokens_per_second: null });
  });

  it("shows a tool-calling result in OpenAI's shape: tool_calls, null content, finish_reason tool_calls", () => {
    const call = { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
    const base = completedJob().result!;
    const onlyCalls = presentJob(
      completedJob({ result: { ...base, message: { role: 'assistant', content: '', tool_calls: [call] }, finish_reason: 'tool_calls' } }),
    );
    expect((onlyCalls.result as ChatCompletionView).choices).toEqual([
      { index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' },
    ]);
    const withText = presentJob(
      completedJob({ result: { ...base, message: { role: 'assistant', content: 'Checking.', tool_calls: [call] }, finish_reason: 'tool_calls' } }),
    );
    expect((withText.result as ChatCompletionView).choices[0]!.message).toEqual({ role: 'assistant', content: 'Checking.', tool_calls: [call] });
  });

  it("shows an embeddings job's result as OpenAI's embedding list, the vectors in base64", () => {
    const base = completedJob();
    const vectors = [encodeEmbedding([0.5, -1]), encodeEmbedding([0, 1])];
    const job = completedJob({
      model: 'vectors',
      params: { embedding: { dimensions: 2 } },
      result: {
        ...base.result!,
        message: { role: 'assistant', content: '' },
        usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
        embeddings: vectors,
      },
    });
    expect(presentJob(job).result).toEqual({
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model: 'vectors',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
  });

  it('shows every provider call of the job as provider_attempts, in order', () => {
    const attemptsLog = [
      {
        deployment: 'openai-primary',
        provider: 'openai',
        upstream_model: 'gpt-4o',
        outcome: 'error' as const,
        latency_ms: 120,
        error: { message: 'upstream 500', status: 500 },
      },
      { deployment: 'anthropic-backup', provider: 'anthropic', upstream_model: 'claude-sonnet-4', outcome: 'ok' as const, latency_ms: 900 },
    ];
    expect(presentJob(completedJob({ attemptsLog })).provider_attempts).toEqual(attemptsLog);
    expect(presentJob(queuedJob()).provider_attempts).toEqual([]);
  });

  it('shows the batch a job ran in by its id and how it ran; a job that ran alone has none', () => {
    const batch = { id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c', mode: 'combined' as const, size: 4, index: 1, fallback: false };
    expect(presentJob(completedJob({ batch }))).toMatchObject({ batch_id: batch.id, batch: { mode: 'combined', size: 4, index: 1, fallback: false } });
    expect(presentJob(completedJob())).toMatchObject({ batch_id: null, batch: null });
  });

  it('gives a job cancelled while queued no processing time', () => {
    const view = presentJob(queuedJob({ status: 'cancelled', cancelledAt: STARTED }));
    expect(view.metrics.processing_ms).toBeNull();
    expect(view.timestamps.cancelled).toBe(STARTED.toISOString());
  });
});

describe('presentAccepted', () => {
  it('answers the 202 body of a new job', () => {
    expect(presentAccepted(queuedJob())).toEqual({
      object: 'job',
      job_id: ID,
      status: 'queued',
      model: 'simulated',
      priority: 'high',
      created_at: CREATED.toISOString(),
      links: LINKS,
    });
  });
});

describe('an expired job', () => {
  const EXPIRES = new Date('2025-03-01T12:10:00.000Z');
  const view = presentJob(queuedJob({ status: 'expired', expiresAt: EXPIRES, expiredAt: EXPIRES, updatedAt: EXPIRES }));

  it('shows its deadline and when it expired, and that it never ran', () => {
    expect(view.expires_at).toBe(EXPIRES.toISOString());
    expect(view.timestamps).toEqual(expect.objectContaining({ started: null, expired: EXPIRES.toISOString() }));
    expect(view.result).toBeNull();
    expect(view.queue).toBeNull();
  });
});

describe('presentStatus', () => {
  it('answers the id, status and last update', () => {
    expect(presentStatus(completedJob())).toEqual({ job_id: ID, status: 'completed', updated_at: COMPLETED.toISOString() });
  });

  it("adds a queued job's standing", () => {
    const standing = { position: 1, ahead_in_higher_bands: 0, estimated_start_at: null };
    expect(presentStatus(queuedJob(), standing)).toEqual({ job_id: ID, status: 'queued', updated_at: CREATED.toISOString(), queue: standing });
  });
});
