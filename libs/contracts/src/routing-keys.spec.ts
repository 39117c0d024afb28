import { isMessageType, MESSAGE_SCHEMAS, MessageTypes, parseMessage, routingKeyOf, type MessagePayload, type MessageType } from './routing-keys';

const JOB_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const AT = '2025-01-02T03:04:05.678Z';

const valid: { [T in MessageType]: MessagePayload<T> } = {
  'job.requested': {
    job_id: JOB_ID,
    tenant_id: 'tenant-alice',
    model: 'simulated',
    priority: 'high',
    messages: [{ role: 'user', content: 'Hello' }],
    params: { max_tokens: 32 },
    metadata: { ticket: '42' },
    created_at: AT,
  },
  'job.started': { job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, worker_id: 'worker-1', started_at: AT },
  'job.delta': { job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, seq: 0, content: 'Hel' },
  'job.completed': {
    job_id: JOB_ID,
    tenant_id: 'tenant-alice',
    attempt: 2,
    worker_id: 'worker-1',
    started_at: AT,
    completed_at: '2025-01-02T03:04:06+00:00',
    result: {
      message: { role: 'assistant', content: 'Hi there.' },
      finish_reason: 'stop',
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
      provider: 'simulated',
      model: 'simulated',
    },
  },
  'job.failed': {
    job_id: JOB_ID,
    tenant_id: 'tenant-alice',
    attempt: 5,
    failed_at: AT,
    error: { code: 'retries_exhausted', message: 'gave up after 5 attempts' },
  },
  'job.cancelled': { job_id: JOB_ID, tenant_id: 'tenant-alice', cancelled_at: AT },
  'job.cancel_requested': { job_id: JOB_ID, tenant_id: 'tenant-alice', requested_at: AT },
  'webhook.delivery': { delivery_id: '0190a5b2-7c3d-7e4f-8a1b-000000000001', job_id: JOB_ID, tenant_id: 'tenant-alice' },
};

const ALL_TYPES = Object.keys(MESSAGE_SCHEMAS) as MessageType[];

describe('routingKeyOf', () => {
  it.each(['high', 'normal', 'low'] as const)('routes job.requested by priority band (%s)', (band) => {
    expect(routingKeyOf('job.requested', { ...valid['job.requested'], priority: band })).toBe(`job.requested.${band}`);
  });

  it.each(ALL_TYPES.filter((t) => t !== 'job.requested'))('routes %s by type and job id', (type) => {
    expect(routingKeyOf(type, valid[type])).toBe(`${type}.${JOB_ID}`);
  });
});

describe('parseMessage', () => {
  it.each(ALL_TYPES)('accepts a valid %s payload and returns it', (type) => {
    const result = parseMessage(type, valid[type]);
    expect(result).toEqual({ ok: true, payload: valid[type] });
  });

  it.each([
    ['job.requested', { ...valid['job.requested'], priority: 'urgent' }, 'priority'],
    ['job.requested', { ...valid['job.requested'], messages: [] }, 'messages'],
    ['job.requested', { ...valid['job.requested'], messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role'],
    ['job.requested', { ...valid['job.requested'], created_at: 'yesterday' }, 'created_at'],
    ['job.started', { ...valid['job.started'], attempt: 0 }, 'attempt'],
    ['job.started', { ...valid['job.started'], job_id: 'not-a-uuid' }, 'job_id'],
    ['job.delta', { ...valid['job.delta'], seq: -1 }, 'seq'],
    ['job.completed', { ...valid['job.completed'], result: { ...valid['job.completed'].result, finish_reason: 'bored' } }, 'result.finish_reason'],
    ['job.failed', { ...valid['job.failed'], error: { code: 'oops', message: 'x' } }, 'error.code'],
    ['job.cancelled', { job_id: JOB_ID, cancelled_at: AT }, 'tenant_id'],
  ] as Array<[MessageType, unknown, string]>)('rejects an invalid %s payload, naming the path %p', (type, payload, path) => {
    const result = parseMessage(type, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(new RegExp(`^${path.replace(/\./g, '\\.')}: .+`));
  });

  it('reports (root) when the payload is not an object at all', () => {
    const result = parseMessage('job.cancelled', 'nope');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^\(root\): /);
  });
});

describe('isMessageType', () => {
  it.each(Object.values(MessageTypes))('accepts %s', (type) => {
    expect(isMessageType(type)).toBe(true);
  });

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'job.unknown', 'job', '', 'JOB.REQUESTED'])(
    'rejects the string %p',
    (value) => {
      expect(isMessageType(value)).toBe(false);
    },
  );

  it.each([[undefined], [null], [42], [{}]])('rejects the non-string %p', (value) => {
    expect(isMessageType(value)).toBe(false);
  });
});
