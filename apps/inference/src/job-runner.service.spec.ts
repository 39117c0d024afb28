import type { ConveyorConfig } from '@conveyor/config';
import { uuidv7, type JobRequested, type MessageType } from '@conveyor/contracts';
import type { JobStore } from '@conveyor/database';
import type { Delivery, DeliveryContext, MessagePublisher } from '@conveyor/messaging';
import { JobMetrics, MetricsRegistry } from '@conveyor/metrics';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { TombstoneRegistry } from './cancellation/tombstone.registry';
import { JobRunner } from './job-runner.service';
import { WatchedJobs } from './streaming/watched-jobs.registry';
import { StartedHereRegistry } from './republish/started-here.registry';
import type { ModelRouter, RouteResult } from './routing/model-router.service';

const metrics = (registry = new MetricsRegistry({ defaults: false })) => new JobMetrics(registry);

/** A metric's samples as `label=value,…` → value, for exact checks. */
async function samplesOf(registry: MetricsRegistry, name: string): Promise<Record<string, number>> {
  const metric = registry.registry.getSingleMetric(name);
  if (!metric) return {};
  const { values } = await metric.get();
  return Object.fromEntries(
    values.map((v) => [
      Object.entries(v.labels)
        .map(([k, l]) => `${k}=${l}`)
        .join(','),
      v.value,
    ]),
  );
}

/** A histogram's observation counts, by labels. */
async function countsOf(registry: MetricsRegistry, name: string): Promise<Record<string, number>> {
  const { values } = await registry.registry.getSingleMetric(name)!.get();
  const counts = values.filter((v) => (v as { metricName?: string }).metricName === `${name}_count`);
  return Object.fromEntries(
    counts.map((v) => [
      Object.entries(v.labels)
        .map(([k, l]) => `${k}=${l}`)
        .join(','),
      v.value,
    ]),
  );
}

/** A publisher whose `job.started` confirm is held until the test settles it; everything else confirms at once. */
function heldStartPublisher() {
  const published: MessageType[] = [];
  let settleStart!: (err?: Error) => void;
  const publisher = {
    publish: (type: MessageType) => {
      published.push(type);
      if (type !== 'job.started') return Promise.resolve();
      return new Promise<void>((resolve, reject) => (settleStart = (err) => (err ? reject(err) : resolve())));
    },
  } as unknown as MessagePublisher;
  return { publisher, published, settleStart: (err?: Error) => settleStart(err) };
}

/** A router that calls `onStart` when generation begins, then waits for `finish` or its signal's abort. */
function gatedRouter(onStart: () => void) {
  let finish!: () => void;
  const router = {
    route: (_request: unknown, signal: AbortSignal) =>
      new Promise<RouteResult>((resolve, reject) => {
        onStart();
        signal.addEventListener('abort', () => reject(signal.reason));
        finish = () =>
          resolve({
            text: 'hi',
            finishReason: 'stop',
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            deployment: { id: 'd', provider: 'simulated' },
            attempts: [],
          } as unknown as RouteResult);
      }),
  } as unknown as ModelRouter;
  return { router, finish: () => finish() };
}

const config = {
  worker: { id: 'w1' },
  streaming: { coalesceMs: 0, coalesceChars: 256, batchMs: 0 },
  broker: { retryMaxAttempts: 3, publishTimeoutMs: 5_000 },
} as unknown as ConveyorConfig;
/** A first delivery must not read the row: the hot path has no per-job read. */
const noReads = {
  runStateOf: () => {
    throw new Error('a first delivery read the job row');
  },
} as unknown as JobStore;
const job: JobRequested = {
  job_id: uuidv7(),
  tenant_id: 't',
  model: 'm',
  priority: 'normal',
  shard: 0,
  messages: [{ role: 'user', content: 'x' }],
  params: {},
  created_at: new Date().toISOString(),
};
const ctx = { delivery: { retries: 0 } as Delivery, deliveryCount: 1, signal: new AbortController().signal } as unknown as DeliveryContext;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A runner over the given router, store and publisher; the other collaborators fresh unless a test passes its own. */
function runnerOf(
  router: ModelRouter,
  store: JobStore,
  publisher: MessagePublisher,
  parts: { tombstones?: TombstoneRegistry; watched?: WatchedJobs; metrics?: JobMetrics; startedHere?: StartedHereRegistry; copySettleMs?: number } = {},
): JobRunner {
  return new JobRunner(
    router,
    store,
    config,
    publisher,
    new CancellationRegistry(),
    parts.tombstones ?? new TombstoneRegistry(),
    parts.watched ?? new WatchedJobs(),
    parts.metrics ?? metrics(),
    parts.startedHere ?? new StartedHereRegistry(),
    ...(parts.copySettleMs === undefined ? [] : [parts.copySettleMs]),
  );
}

describe('JobRunner and the job.started announcement', () => {
  it('starts generating before the broker confirms job.started, and acks only once that confirm is in', async () => {
    const { publisher, published, settleStart } = heldStartPublisher();
    let generating = false;
    const { router, finish } = gatedRouter(() => (generating = true));
    let outcome: unknown = null;
    const running = runnerOf(router, noReads, publisher)
      .run(job, ctx)
      .then((o) => (outcome = o));
    await tick();
    expect(generating).toBe(true); // the start's confirm is still outstanding
    finish();
    await tick();
    expect(published).toEqual(['job.started', 'job.outcome']);
    expect(outcome).toBeNull(); // the terminal event is out, but the ack waits for the start's confirm
    settleStart();
    await running;
    expect(outcome).toEqual({ action: 'ack' });
  });

  it('aborts generation and retries the job when job.started cannot be published', async () => {
    const { publisher, published, settleStart } = heldStartPublisher();
    const { router } = gatedRouter(() => undefined);
    const running = runnerOf(router, noReads, publisher).run(job, ctx);
    await tick();
    settleStart(new Error('broker gone'));
    const outcome = await running;
    expect(outcome).toMatchObject({ action: 'retry' });
    expect((outcome as { reason: string }).reason).toContain('broker gone');
    expect(published).toEqual(['job.started']); // no terminal event for a job whose start was never announced
  });
});

describe('JobRunner metrics', () => {
  it('counts a completed run once: its start, its queue wait (first start), its end, its time and its tokens', async () => {
    const registry = new MetricsRegistry({ defaults: false });
    const publisher = { publish: () => Promise.resolve() } as unknown as MessagePublisher;
    const { router, finish } = gatedRouter(() => undefined);
    const running = runnerOf(router, noReads, publisher, { metrics: metrics(registry) }).run(job, ctx);
    await tick();
    finish();
    await running;
    expect(await samplesOf(registry, 'conveyor_jobs_started_total')).toEqual({ 'model=m,priority=normal': 1 });
    expect(await samplesOf(registry, 'conveyor_jobs_finished_total')).toEqual({ 'outcome=completed,model=m,priority=normal': 1 });
    expect(await samplesOf(registry, 'conveyor_tokens_total')).toEqual({ 'model=m,direction=input': 1, 'model=m,direction=output': 1 });
    expect(await countsOf(registry, 'conveyor_job_queue_wait_seconds')).toEqual({ 'priority=normal': 1 });
    expect(await countsOf(registry, 'conveyor_job_processing_seconds')).toEqual({ 'model=m,outcome=completed': 1 });
  });
});

describe('JobRunner deciding whether a delivered job runs', () => {
  const quietPublisher = () => {
    const published: MessageType[] = [];
    return { published, publisher: { publish: async (type: MessageType) => void published.push(type) } as unknown as MessagePublisher };
  };
  const untouchedRouter = { route: () => Promise.reject(new Error('the provider was called')) } as unknown as ModelRouter;

  it('acks a job that ended before it ran (a tombstone) without reading its row or calling a provider', async () => {
    const { publisher, published } = quietPublisher();
    const tombstones = new TombstoneRegistry();
    tombstones.add(job.job_id);
    const outcome = await runnerOf(untouchedRouter, noReads, publisher, { tombstones }).run(job, ctx);
    expect(outcome).toEqual({ action: 'ack' });
    expect(published).toEqual([]);
  });

  it.each(['completed', 'failed', 'cancelled'])('reads the row of a redelivered message, and acks a job already %s without running it', async (status) => {
    const { publisher, published } = quietPublisher();
    const reads: string[] = [];
    const store = { runStateOf: async (id: string) => (reads.push(id), { status, starts: 1 }) } as unknown as JobStore;
    const redelivered = { ...ctx, deliveryCount: 2 } as unknown as DeliveryContext;
    const outcome = await runnerOf(untouchedRouter, store, publisher).run(job, redelivered);
    expect(reads).toEqual([job.job_id]);
    expect(outcome).toEqual({ action: 'ack' });
    expect(published).toEqual([]);
  });

  it('runs a fresh first delivery without reading its row', async () => {
    const { publisher, published } = quietPublisher();
    const { router, finish } = gatedRouter(() => undefined);
    const running = runnerOf(router, noReads, publisher).run({ ...job, created_at: new Date(Date.now() - 4_000).toISOString() }, ctx);
    await tick();
    finish();
    expect(await running).toEqual({ action: 'ack' });
    expect(published).toEqual(['job.started', 'job.outcome']);
  });

  describe('a first delivery older than the publish timeout, which may have outlived its row', () => {
    const stale = { ...job, created_at: new Date(Date.now() - 5_000).toISOString() };

    it('reads the row, and dead-letters a job that has none, without calling a provider', async () => {
      const { publisher, published } = quietPublisher();
      const reads: string[] = [];
      const store = { runStateOf: async (id: string) => (reads.push(id), null) } as unknown as JobStore;
      const outcome = await runnerOf(untouchedRouter, store, publisher).run(stale, ctx);
      expect(reads).toEqual([job.job_id]);
      expect(outcome).toMatchObject({ action: 'dead-letter', reason: expect.stringMatching(/has no row: it was never accepted/) });
      expect(published).toEqual([]);
    });

    it('runs the job when its row is there and queued', async () => {
      const { publisher, published } = quietPublisher();
      const { router, finish } = gatedRouter(() => undefined);
      const store = { runStateOf: async () => ({ status: 'queued', starts: 0 }) } as unknown as JobStore;
      const running = runnerOf(router, store, publisher).run(stale, ctx);
      await tick();
      finish();
      expect(await running).toEqual({ action: 'ack' });
      expect(published).toEqual(['job.started', 'job.outcome']);
    });
  });

  it.each(['running', 'completed', 'failed', 'cancelled'])(
    'reads the row of a copy sent by the orphan sweep, and acks it without running when the job is %s (its first message existed)',
    async (status) => {
      const { publisher, published } = quietPublisher();
      const reads: string[] = [];
      const store = { runStateOf: async (id: string) => (reads.push(id), { status, starts: 1 }) } as unknown as JobStore;
      const outcome = await runnerOf(untouchedRouter, store, publisher).run({ ...job, republished: true }, ctx);
      expect(reads).toEqual([job.job_id]);
      expect(outcome).toEqual({ action: 'ack' });
      expect(published).toEqual([]);
    },
  );

  it('runs a copy sent by the orphan sweep when its job is still queued at both reads', async () => {
    const { publisher, published } = quietPublisher();
    let generating = false;
    const { router, finish } = gatedRouter(() => (generating = true));
    const reads: string[] = [];
    const store = { runStateOf: async (id: string) => (reads.push(id), { status: 'queued', starts: 0 }) } as unknown as JobStore;
    const runner = runnerOf(router, store, publisher, { copySettleMs: 0 });
    const running = runner.run({ ...job, republished: true }, ctx);
    while (!generating) await tick();
    finish();
    expect(await running).toEqual({ action: 'ack' });
    expect(reads).toEqual([job.job_id, job.job_id]);
    expect(published).toEqual(['job.started', 'job.outcome']);
  });

  it('acks a copy whose job was queued at the first read and started by the second (its first message ran elsewhere)', async () => {
    const { publisher, published } = quietPublisher();
    const states = ['queued', 'running'];
    const store = { runStateOf: async () => ({ status: states.shift(), starts: 0 }) } as unknown as JobStore;
    const runner = runnerOf(untouchedRouter, store, publisher, { copySettleMs: 0 });
    expect(await runner.run({ ...job, republished: true }, ctx)).toEqual({ action: 'ack' });
    expect(states).toEqual([]);
    expect(published).toEqual([]);
  });

  it('acks a copy of a job that this worker started, although its row still says queued (the start not yet recorded)', async () => {
    const { publisher, published } = quietPublisher();
    const { router, finish } = gatedRouter(() => undefined);
    const store = { runStateOf: async () => ({ status: 'queued', starts: 0 }) } as unknown as JobStore;
    const runner = runnerOf(router, store, publisher, { copySettleMs: 0 });
    const original = runner.run(job, ctx);
    await tick();
    expect(await runner.run({ ...job, republished: true }, ctx)).toEqual({ action: 'ack' });
    finish();
    await original;
    expect(published).toEqual(['job.started', 'job.outcome']);
  });

  it('dead-letters a redelivered message whose job has no row (it was never accepted)', async () => {
    const { publisher } = quietPublisher();
    const store = { runStateOf: async () => null } as unknown as JobStore;
    const retried = { ...ctx, delivery: { retries: 1 } as Delivery } as unknown as DeliveryContext;
    const outcome = await runnerOf(untouchedRouter, store, publisher).run(job, retried);
    expect(outcome).toMatchObject({ action: 'dead-letter' });
  });

  describe('a crash loop', () => {
    const crashConfig = { ...config, broker: { retryMaxAttempts: 3, maxDeliveries: 3 } } as unknown as ConveyorConfig;
    const store = (starts: number) => ({ runStateOf: async () => ({ status: 'running', starts }) }) as unknown as JobStore;
    const redelivered = (deliveryCount: number, retries = 0) => ({ ...ctx, deliveryCount, delivery: { retries } as Delivery }) as unknown as DeliveryContext;

    it('dead-letters a redelivered job that started JOB_MAX_DELIVERIES times without finishing, without calling a provider', async () => {
      const { publisher, published } = quietPublisher();
      // Delivered 9 times (a worker's kills charge every message it held), started 3 times: the starts decide.
      const outcome = await new JobRunner(
        untouchedRouter,
        store(3),
        crashConfig,
        publisher,
        new CancellationRegistry(),
        new TombstoneRegistry(),
        new WatchedJobs(),
        metrics(),
      ).run(job, redelivered(9));
      expect(outcome).toMatchObject({ action: 'dead-letter', reason: expect.stringMatching(/^crash loop: started 3 times/) });
      expect(published).toEqual([]);
    });

    it('runs a job delivered many times but started fewer times than the limit (held by workers that were killed)', async () => {
      const { publisher, published } = quietPublisher();
      const { router, finish } = gatedRouter(() => undefined);
      const running = new JobRunner(
        router,
        store(2),
        crashConfig,
        publisher,
        new CancellationRegistry(),
        new TombstoneRegistry(),
        new WatchedJobs(),
        metrics(),
      ).run(job, redelivered(9));
      await tick();
      finish();
      expect(await running).toEqual({ action: 'ack' });
      expect(published).toEqual(['job.started', 'job.outcome']);
    });

    it("does not count the starts of the job's earlier retries against this message", async () => {
      const { publisher } = quietPublisher();
      const { router, finish } = gatedRouter(() => undefined);
      // Retried twice (two starts then), started once since: 3 starts, 1 of them this message's.
      const running = new JobRunner(
        router,
        store(3),
        crashConfig,
        publisher,
        new CancellationRegistry(),
        new TombstoneRegistry(),
        new WatchedJobs(),
        metrics(),
      ).run(job, redelivered(2, 2));
      await tick();
      finish();
      expect(await running).toEqual({ action: 'ack' });
    });
  });

  describe('a job past its expires_at', () => {
    const expired = { ...job, expires_at: new Date(Date.now() - 1_000).toISOString() };
    const recording = () => {
      const published: Array<{ type: MessageType; payload: any }> = [];
      return {
        published,
        publisher: { publish: async (type: MessageType, payload: unknown) => void published.push({ type, payload }) } as unknown as MessagePublisher,
      };
    };
    const storeSaying = (status: string, starts = 0) => ({ runStateOf: async () => ({ status, starts }) }) as unknown as JobStore;

    it('ends expired without a provider call while still queued, and remembers it as a tombstone', async () => {
      const { publisher, published } = recording();
      const tombstones = new TombstoneRegistry();
      const outcome = await runnerOf(untouchedRouter, storeSaying('queued'), publisher, { tombstones }).run(expired, ctx);
      expect(outcome).toEqual({ action: 'ack' });
      expect(published).toEqual([
        { type: 'job.outcome', payload: { type: 'job.expired', event: expect.objectContaining({ job_id: job.job_id, tenant_id: 't' }) } },
      ]);
      expect(tombstones.has(job.job_id)).toBe(true);
    });

    it('counts the expiry as a job ended expired, and no start', async () => {
      const registry = new MetricsRegistry({ defaults: false });
      const { publisher } = recording();
      await runnerOf(untouchedRouter, storeSaying('queued'), publisher, { metrics: metrics(registry) }).run(expired, ctx);
      expect(await samplesOf(registry, 'conveyor_jobs_finished_total')).toEqual({ 'outcome=expired,model=m,priority=normal': 1 });
      expect(await samplesOf(registry, 'conveyor_jobs_started_total')).toEqual({});
    });

    it('runs on when the job had started already (a redelivery of a running job): only queued jobs expire', async () => {
      const { publisher, published } = recording();
      const { router, finish } = gatedRouter(() => undefined);
      const running = runnerOf(router, storeSaying('running'), publisher).run(expired, {
        ...ctx,
        deliveryCount: 2,
      } as unknown as DeliveryContext);
      await tick();
      finish();
      expect(await running).toEqual({ action: 'ack' });
      expect(published.map((p) => p.type)).toEqual(['job.started', 'job.outcome']);
      expect(published[1]!.payload.type).toBe('job.completed');
    });

    it('runs a job whose deadline is still ahead without reading its row', async () => {
      const { publisher, published } = recording();
      const { router, finish } = gatedRouter(() => undefined);
      const ahead = { ...job, expires_at: new Date(Date.now() + 60_000).toISOString() };
      const running = runnerOf(router, noReads, publisher).run(ahead, ctx);
      await tick();
      finish();
      expect(await running).toEqual({ action: 'ack' });
      expect(published[1]!.payload.type).toBe('job.completed');
    });
  });
});

/** A router that streams `parts` as deltas, waits for `finish`, then answers their concatenation. */
function streamingRouter(parts: string[]) {
  let finish!: () => void;
  let started!: () => void;
  const generating = new Promise<void>((resolve) => (started = resolve));
  const router = {
    route: (_request: unknown, _signal: AbortSignal, onDelta: (content: string, seq: number) => void) =>
      new Promise<RouteResult>((resolve) => {
        parts.forEach((part, seq) => onDelta(part, seq));
        started();
        finish = () =>
          resolve({
            text: parts.join(''),
            finishReason: 'stop',
            usage: { prompt_tokens: 1, completion_tokens: parts.length, total_tokens: 1 + parts.length },
            deployment: { id: 'd', provider: 'simulated' },
            attempts: [],
          } as unknown as RouteResult);
      }),
  } as unknown as ModelRouter;
  return { router, generating, finish: () => finish() };
}

function recordingPublisher() {
  const published: Array<{ type: MessageType; payload: any }> = [];
  const publisher = { publish: (type: MessageType, payload: unknown) => (published.push({ type, payload }), Promise.resolve()) } as unknown as MessagePublisher;
  return { publisher, published, deltas: () => published.filter((m) => m.type === 'job.delta').map((m) => [m.payload.content, m.payload.seq]) };
}

describe('JobRunner and the chunks of a job nobody watches', () => {
  it('publishes no chunk for a job submitted without a stream; its result carries the text', async () => {
    const { publisher, published, deltas } = recordingPublisher();
    const { router, generating, finish } = streamingRouter(['Hel', 'lo']);
    const running = runnerOf(router, noReads, publisher).run(job, ctx);
    await generating;
    finish();
    await running;
    expect(deltas()).toEqual([]);
    expect(published.map((m) => m.type)).toEqual(['job.started', 'job.outcome']);
    expect(published[1]!.payload.event.result.message.content).toBe('Hello');
  });

  it('publishes every chunk of a job submitted with a stream', async () => {
    const { publisher, deltas } = recordingPublisher();
    const { router, generating, finish } = streamingRouter(['Hel', 'lo']);
    const running = runnerOf(router, noReads, publisher).run({ ...job, stream: true }, ctx);
    await generating;
    finish();
    await running;
    expect(deltas()).toEqual([
      ['Hel', 0],
      ['lo', 1],
    ]);
  });

  it('starts the chunks, with all the text so far, when a watch arrives during generation', async () => {
    const { publisher, deltas } = recordingPublisher();
    const watched = new WatchedJobs();
    const { router, generating, finish } = streamingRouter(['Hel', 'lo']);
    const running = runnerOf(router, noReads, publisher, { watched }).run(job, ctx);
    await generating;
    expect(watched.watch(job.job_id)).toBe(true);
    finish();
    await running;
    expect(deltas()).toEqual([['Hello', 0]]);
    expect(watched.watch(job.job_id)).toBe(false); // ended: remembered, not running
  });

  it('starts live when the watch came just before the job started here', async () => {
    const { publisher, deltas } = recordingPublisher();
    const watched = new WatchedJobs();
    watched.watch(job.job_id);
    const { router, generating, finish } = streamingRouter(['Hel', 'lo']);
    const running = runnerOf(router, noReads, publisher, { watched }).run(job, ctx);
    await generating;
    finish();
    await running;
    expect(deltas()).toEqual([
      ['Hel', 0],
      ['lo', 1],
    ]);
  });
});
