import type { ConveyorConfig } from '@conveyor/config';
import { decodeEmbedding, uuidv7, type JobOutcome, type JobRequested, type MessageType } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import type { Delivery, DeliveryContext, MessagePublisher } from '@conveyor/messaging';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { TombstoneRegistry } from './cancellation/tombstone.registry';
import { JobMetrics, MetricsRegistry } from '@conveyor/metrics';
import { JobRunner } from './job-runner.service';
import { WatchedJobs } from './streaming/watched-jobs.registry';
import type { EmbeddingRouteResult, ModelRouter } from './routing/model-router.service';

const config = {
  worker: { id: 'w1' },
  streaming: { coalesceMs: 0, coalesceChars: 256, batchMs: 0 },
  broker: { retryMaxAttempts: 3, publishTimeoutMs: 5_000 },
} as unknown as ConveyorConfig;
const ctx = { delivery: { retries: 0 } as Delivery, deliveryCount: 1, signal: new AbortController().signal } as unknown as DeliveryContext;
const job: JobRequested = {
  job_id: uuidv7(),
  tenant_id: 't',
  model: 'vectors',
  priority: 'normal',
  shard: 0,
  messages: [
    { role: 'user', content: 'first' },
    { role: 'user', content: 'second' },
  ],
  params: { embedding: { dimensions: 2 }, user: 'end-user' },
  created_at: new Date().toISOString(),
};

describe('JobRunner with an embeddings job', () => {
  it('embeds the user messages in order and ends with the encoded vectors, the usage and no deltas', async () => {
    const published: Array<{ type: MessageType; payload: unknown }> = [];
    const publisher = { publish: async (type: MessageType, payload: unknown) => void published.push({ type, payload }) } as unknown as MessagePublisher;
    const seen: unknown[] = [];
    const router = {
      route: () => Promise.reject(new Error('an embeddings job was sent to generation')),
      embed: async (request: unknown): Promise<EmbeddingRouteResult> => {
        seen.push(request);
        return {
          vectors: [
            [0.5, -0.5],
            [1, 0],
          ],
          usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
          usageEstimated: true,
          deployment: { id: 'd', provider: 'gemini', upstream_model: 'g' },
          attempts: [{ deployment: 'd', provider: 'gemini', upstream_model: 'g', outcome: 'ok', latency_ms: 3 }],
        };
      },
    } as unknown as ModelRouter;
    const runner = new JobRunner(
      router,
      {} as JobStore,
      config,
      publisher,
      new CancellationRegistry(),
      new TombstoneRegistry(),
      new WatchedJobs(),
      new JobMetrics(new MetricsRegistry({ defaults: false })),
    );
    await runner.run(job, ctx);

    expect(seen).toEqual([{ model: 'vectors', inputs: ['first', 'second'], dimensions: 2, user: 'end-user' }]);
    expect(published.map((p) => p.type)).toEqual(['job.started', 'job.outcome']);
    const outcome = published[1]!.payload as JobOutcome;
    if (outcome.type !== 'job.completed') throw new Error(`expected job.completed, got ${outcome.type}`);
    const { result } = outcome.event;
    expect(result).toMatchObject({
      message: { role: 'assistant', content: '' },
      finish_reason: 'stop',
      usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
      usage_estimated: true,
      provider: 'gemini',
      model: 'vectors',
    });
    expect(result.embeddings!.map(decodeEmbedding)).toEqual([
      [0.5, -0.5],
      [1, 0],
    ]);
    expect(outcome.event.attempts_log).toHaveLength(1);
  });
});
