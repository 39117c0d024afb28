import { MAX_CHUNKS_PER_MESSAGE } from './job-events.schema';
import { isMessageType, jobDeltasCc, MESSAGE_SCHEMAS, MessageTypes, parseMessage, routingKeyOf, type MessagePayload, type MessageType } from './routing-keys';

const JOB_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const AT = '2025-01-02T03:04:05.678Z';
const KEY_ID = '0190a5b2-7c3d-7e4f-8a1b-00000000000b';

const valid: { [T in MessageType]: MessagePayload<T> } = {
  'job.requested': {
    job_id: JOB_ID,
    tenant_id: 'tenant-alice',
    model: 'simulated',
    priority: 'high',
    shard: 3,
    reply_to: 'reply.gw-1',
    messages: [{ role: 'user', content: 'Hello' }],
    params: { max_tokens: 32 },
    metadata: { ticket: '42' },
    created_at: AT,
    settings_version: '00001735787045678000',
  },
  'job.started': { job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, worker_id: 'worker-1', started_at: AT },
  'job.delta': { job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, seq: 0, content: 'Hel' },
  'job.deltas': { chunks: [{ job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, seq: 3, content: 'lo' }] },
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
  'job.expired': { job_id: JOB_ID, tenant_id: 'tenant-alice', expired_at: AT },
  'job.outcome': {
    type: 'job.failed',
    event: { job_id: JOB_ID, tenant_id: 'tenant-alice', attempt: 1, failed_at: AT, error: { code: 'provider_error', message: 'no' } },
    reply_to: 'reply.gw-1',
  },
  'job.cancel_requested': { job_id: JOB_ID, tenant_id: 'tenant-alice', requested_at: AT },
  'job.watch': { job_id: JOB_ID },
  'webhook.endpoints_changed': { tenant_id: 'tenant-alice' },
  'webhook.delivery': { delivery_id: '0190a5b2-7c3d-7e4f-8a1b-000000000001', job_id: JOB_ID, tenant_id: 'tenant-alice' },
  'tenant.settings_changed': { tenant_id: 'tenant.alice', changed_at: AT },
  'access.changed': { reason: 'key_revoked', tenant_id: 'tenant-alice', key_id: KEY_ID, changed_at: AT },
  'worker.heartbeat': {
    worker_id: 'inference.host:42',
    slots: 4,
    jobs: [{ job_id: JOB_ID, tenant_id: 'tenant-alice', started_at: AT }],
    started_at: AT,
    sent_at: AT,
    interval_ms: 2000,
  },
};

const ALL_TYPES = Object.keys(MESSAGE_SCHEMAS) as MessageType[];

describe('routingKeyOf', () => {
  it.each(['high', 'normal', 'low'] as const)('routes job.requested by priority band (%s) and shard', (band) => {
    expect(routingKeyOf('job.requested', { ...valid['job.requested'], priority: band })).toBe(`job.requested.${band}.3`);
  });

  const NOT_BY_JOB: readonly MessageType[] = ['job.requested', 'webhook.endpoints_changed', 'access.changed', 'worker.heartbeat', 'tenant.settings_changed'];

  it('routes tenant.settings_changed by its type alone, whatever dots the tenant id holds', () => {
    expect(routingKeyOf('tenant.settings_changed', valid['tenant.settings_changed'])).toBe('tenant.settings_changed');
  });

  it('routes access.changed by the key id, or as a whole tenant', () => {
    expect(routingKeyOf('access.changed', valid['access.changed'])).toBe(`access.changed.${KEY_ID}`);
    expect(routingKeyOf('access.changed', { reason: 'tenant_disabled', tenant_id: 'tenant-alice', changed_at: AT })).toBe('access.changed.tenant');
  });

  it('routes worker.heartbeat by the worker id as one routing-key word', () => {
    expect(routingKeyOf('worker.heartbeat', valid['worker.heartbeat'])).toBe('worker.heartbeat.inference-host-42');
  });

  it.each(ALL_TYPES.filter((t) => !NOT_BY_JOB.includes(t)))('routes %s by type and job id', (type) => {
    expect(routingKeyOf(type, valid[type])).toBe(`${type}.${JOB_ID}`);
  });

  it('routes webhook.endpoints_changed by type alone: a tenant id may hold dots', () => {
    expect(routingKeyOf('webhook.endpoints_changed', { tenant_id: 'acme.eu' })).toBe('webhook.endpoints_changed.tenant');
  });
});

describe('job.deltas', () => {
  const chunk = (jobId: string, seq: number) => ({ job_id: jobId, tenant_id: 't', attempt: 1, seq, content: 'x' });
  const OTHER = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c';
  const THIRD = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7d';

  it('is routed by its first job, with one CC key for each other job it carries, each once', () => {
    const payload = { chunks: [chunk(JOB_ID, 0), chunk(OTHER, 4), chunk(JOB_ID, 1), chunk(THIRD, 0), chunk(OTHER, 5)] };
    expect(routingKeyOf('job.deltas', payload)).toBe(`job.deltas.${JOB_ID}`);
    expect(jobDeltasCc(payload)).toEqual([`job.deltas.${OTHER}`, `job.deltas.${THIRD}`]);
    expect(jobDeltasCc({ chunks: [chunk(JOB_ID, 0), chunk(JOB_ID, 1)] })).toEqual([]);
  });

  it(`carries 1 to ${MAX_CHUNKS_PER_MESSAGE} chunks`, () => {
    expect(parseMessage('job.deltas', { chunks: [] }).ok).toBe(false);
    expect(parseMessage('job.deltas', { chunks: Array.from({ length: MAX_CHUNKS_PER_MESSAGE }, (_, i) => chunk(JOB_ID, i)) }).ok).toBe(true);
    expect(parseMessage('job.deltas', { chunks: Array.from({ length: MAX_CHUNKS_PER_MESSAGE + 1 }, (_, i) => chunk(JOB_ID, i)) }).ok).toBe(false);
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
    ['job.requested', { ...valid['job.requested'], settings_version: AT }, 'settings_version'],
    ['job.started', { ...valid['job.started'], attempt: 0 }, 'attempt'],
    ['job.started', { ...valid['job.started'], job_id: 'not-a-uuid' }, 'job_id'],
    ['job.delta', { ...valid['job.delta'], seq: -1 }, 'seq'],
    ['job.completed', { ...valid['job.completed'], result: { ...valid['job.completed'].result, finish_reason: 'bored' } }, 'result.finish_reason'],
    ['job.failed', { ...valid['job.failed'], error: { code: 'oops', message: 'x' } }, 'error.code'],
    ['job.cancelled', { job_id: JOB_ID, cancelled_at: AT }, 'tenant_id'],
    ['tenant.settings_changed', { tenant_id: '', changed_at: AT }, 'tenant_id'],
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

  it.each(['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'job.unknown', 'job', '', 'JOB.REQUESTED'])('rejects the string %p', (value) => {
    expect(isMessageType(value)).toBe(false);
  });

  it.each([[undefined], [null], [42], [{}]])('rejects the non-string %p', (value) => {
    expect(isMessageType(value)).toBe(false);
  });
});
