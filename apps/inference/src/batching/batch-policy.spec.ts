import type { BatchingSettings } from '@conveyor/config';
import type { JobRequested } from '@conveyor/contracts';
import { BatchPolicy } from './batch-policy';

const band = { windowMs: 1_000, maxSize: 4, mode: 'combined' as const };
const settings = (over: Partial<BatchingSettings> = {}): BatchingSettings => ({
  scope: 'all',
  bands: { high: { ...band, windowMs: 200, maxSize: 6 }, normal: band, low: { ...band, windowMs: 4_000 } },
  modelModes: new Map([['plain', 'concurrent']]),
  ...over,
});
const job = (over: Partial<JobRequested> = {}): JobRequested => ({
  job_id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
  tenant_id: 'tenant-alice',
  model: 'simulated',
  priority: 'normal',
  shard: 0,
  messages: [{ role: 'user', content: 'hi' }],
  params: {},
  created_at: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('BatchPolicy', () => {
  it('batches nothing when off, only jobs marked batchable when opt-in, every job when all', () => {
    expect(new BatchPolicy(settings({ scope: 'off' })).planFor(job({ batchable: true }))).toBeNull();
    expect(new BatchPolicy(settings({ scope: 'opt-in' })).planFor(job())).toBeNull();
    expect(new BatchPolicy(settings({ scope: 'opt-in' })).planFor(job({ batchable: true }))).not.toBeNull();
    expect(new BatchPolicy(settings()).planFor(job())).toMatchObject({ band: 'normal', mode: 'combined', window: { windowMs: 1_000, maxSize: 4 } });
  });

  it('never batches an embeddings job, in any scope or mode', () => {
    const embedding = job({ batchable: true, params: { embedding: {} } });
    expect(new BatchPolicy(settings()).planFor(embedding)).toBeNull();
    expect(new BatchPolicy(settings({ scope: 'opt-in' })).planFor(embedding)).toBeNull();
    expect(new BatchPolicy(settings()).planFor({ ...embedding, model: 'plain' })).toBeNull();
  });

  it("takes the band's window and the model's mode over the band's", () => {
    const policy = new BatchPolicy(settings());
    expect(policy.planFor(job({ priority: 'high' }))).toMatchObject({ window: { windowMs: 200, maxSize: 6 }, mode: 'combined' });
    expect(policy.planFor(job({ model: 'plain' }))).toMatchObject({ mode: 'concurrent' });
  });

  it('never puts two tenants, models or bands in one batch', () => {
    const policy = new BatchPolicy(settings());
    const key = (over: Partial<JobRequested>) => policy.planFor(job(over))!.key;
    expect(key({})).toBe(key({ job_id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c' }));
    expect(key({ tenant_id: 'tenant-bob' })).not.toBe(key({}));
    expect(key({ model: 'other' })).not.toBe(key({}));
    expect(key({ priority: 'low' })).not.toBe(key({}));
    expect(key({ params: { temperature: 0.2 } })).not.toBe(key({}));
  });

  it('runs a job with tools on its own when its mode is combined, and batches it when concurrent', () => {
    const tools = [{ type: 'function' as const, function: { name: 'f', parameters: {} } }];
    expect(new BatchPolicy(settings()).planFor(job({ params: { tools } }))).toBeNull();
    expect(new BatchPolicy(settings()).planFor(job({ model: 'plain', params: { tools } }))).toMatchObject({ mode: 'concurrent' });
  });
});
