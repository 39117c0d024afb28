import type { JobRecord, JobResult } from '@conveyor/contracts';
import { GenerationResponseSchema, ChatEntrySchema } from './batch-api-views.schema';
import { presentChatEntry, presentGeneration, queryJobOf } from './batch-api.presenter';
import { queryRequestSchema } from './query-request.schema';

const RESULT: JobResult = {
  message: { role: 'assistant', content: 'Forty-two.' },
  finish_reason: 'stop',
  usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
  provider: 'simulated',
  model: 'simulated',
};

function job(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id: '01960000-0000-7000-8000-000000000001',
    tenantId: 't',
    model: 'simulated',
    priority: 'high',
    messages: [{ role: 'user', content: 'What is it?' }],
    params: { user: 'someone' },
    metadata: {},
    traceId: null,
    createdAt: new Date('2026-02-01T12:00:00.000Z'),
    status: 'completed',
    result: RESULT,
    error: null,
    attempts: 1,
    attemptsLog: [],
    partialResult: null,
    workerId: 'w',
    updatedAt: new Date('2026-02-01T12:00:01.500Z'),
    startedAt: new Date('2026-02-01T12:00:00.200Z'),
    completedAt: new Date('2026-02-01T12:00:01.500Z'),
    failedAt: null,
    cancelledAt: null,
    expiredAt: null,
    batch: null,
    ...overrides,
  };
}

describe('queryJobOf', () => {
  it("makes the prompt the one user message, the priority a band, and keeps the seed's fields in metadata", () => {
    const request = queryRequestSchema(100).parse({ username: 'ann', request_id: 'r-1', prompt: 'hi', created_at: '2026-02-01T12:00:00Z', priority: 'LOW' });
    expect(queryJobOf(request)).toEqual({
      model: undefined,
      messages: [{ role: 'user', content: 'hi' }],
      priority: 'low',
      user: 'ann',
      metadata: { username: 'ann', request_id: 'r-1', client_created_at: '2026-02-01T12:00:00Z' },
    });
  });

  it("takes the seed's integers and defaults to MEDIUM", () => {
    expect(queryJobOf(queryRequestSchema(100).parse({ username: 'a', prompt: 'x', priority: 2 })).priority).toBe('high');
    expect(queryJobOf(queryRequestSchema(100).parse({ username: 'a', prompt: 'x', priority: 0 })).priority).toBe('low');
    expect(queryJobOf(queryRequestSchema(100).parse({ username: 'a', prompt: 'x' })).priority).toBe('normal');
    expect(queryRequestSchema(100).safeParse({ username: 'a', prompt: 'x', priority: 3 }).success).toBe(false);
    expect(queryRequestSchema(100).safeParse({ username: 'a', prompt: 'x'.repeat(101) }).success).toBe(false);
  });
});

describe('presentGeneration', () => {
  it("answers the seed's GenerationResponse from the job: its ids, text, total tokens and latency from arrival to end", () => {
    const record = job({ metadata: { request_id: 'r-1', username: 'ann', client_created_at: '2026-02-01T11:59:59Z' } });
    const answer = presentGeneration(record, RESULT, record.completedAt!, 'b-1');
    expect(GenerationResponseSchema.strict().parse(answer)).toEqual({
      request_id: 'r-1',
      username: 'ann',
      text: 'Forty-two.',
      tokens_used: 13,
      latency_ms: 1500,
      created_at: '2026-02-01T11:59:59Z',
      completed_at: '2026-02-01T12:00:01.500Z',
      job_id: record.id,
      priority: 'HIGH',
      batch_id: 'b-1',
    });
  });

  it("falls back to the job's id, OpenAI's user and the job's creation for a job another route made", () => {
    const answer = presentGeneration(job(), RESULT, job().completedAt!, null);
    expect(answer).toMatchObject({ request_id: job().id, username: 'someone', created_at: '2026-02-01T12:00:00.000Z', batch_id: null });
  });
});

describe('presentChatEntry', () => {
  it('pairs the request with its response and batch once the job completed', () => {
    const entry = presentChatEntry(job({ batch: { id: 'b-9', mode: 'combined', size: 3, index: 1, fallback: false } }));
    expect(ChatEntrySchema.strict().parse(entry)).toMatchObject({
      timestamp: '2026-02-01T12:00:01.500Z',
      batch_id: 'b-9',
      status: 'completed',
      request: { prompt: 'What is it?', priority: 2, username: 'someone' },
      response: { text: 'Forty-two.', batch_id: 'b-9' },
    });
  });

  it('has no response for a job that has not completed, and stamps it with its creation', () => {
    const entry = presentChatEntry(job({ status: 'queued', result: null, completedAt: null, priority: 'low' }));
    expect(entry).toMatchObject({ timestamp: '2026-02-01T12:00:00.000Z', status: 'queued', response: null, request: { priority: 0 } });
  });
});
