import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { shardOf } from '@conveyor/messaging';
import { CLUSTER_KEYS, Cluster } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { MockUpstream } from '../support/mock-llm/mock-upstream.server';
import { openAiStreamFrames } from '../support/mock-llm/openai-stream.fixture';
import { sseReply } from '../support/mock-llm/reply.util';
import { openSse, type SseEvent } from '../support/sse-client.util';
import { WebhookReceiver } from '../support/webhook-receiver.util';

const BACKLOG = 5_000;
const NEWCOMER = 50;
const SHARDS = 4;

/** A salt under which the two tenants hash to different shards (with one shard each they could not be told apart). */
function separatingSalt(): string {
  for (let i = 0; ; i++) {
    const salt = `fair-${i}`;
    if (shardOf('tenant-alice', { jobShards: SHARDS, shardSalt: salt }) !== shardOf('tenant-bob', { jobShards: SHARDS, shardSalt: salt })) return salt;
  }
}

/**
 * Fair share, queue standing and expiry across separate processes (gateway, persistence, notification, streaming,
 * two workers) over the real RabbitMQ and PostgreSQL. The workers start only once the queues are filled, so what
 * each job waits behind is under the test's control.
 */
describe('the queue: fair share inside a band, standing and expiry (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let alice: Api;
  let bob: Api;
  let upstream: MockUpstream;
  let receiver: WebhookReceiver;
  let db: Client;

  beforeAll(async () => {
    upstream = await MockUpstream.start(sseReply(openAiStreamFrames({ pieces: ['fine'], finishReason: 'stop', done: true })));
    receiver = await WebhookReceiver.start();
    cluster = await Cluster.start({
      name: `fair_${randomBytes(4).toString('hex')}`,
      inference: 0,
      env: {
        SIMULATED_TTFT_MS: '20',
        SIMULATED_TOKENS_PER_SECOND: '0',
        SIMULATED_MIN_TOKENS: '4',
        SIMULATED_MAX_TOKENS: '8',
        JOB_QUEUE_SHARDS: String(SHARDS),
        JOB_SHARD_SALT: separatingSalt(),
        EXPIRY_SWEEP_MS: '200',
        STREAM_STANDING_MS: '200',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        MOCK_UPSTREAM_KEY: 'sk-mock',
      },
      inferenceEnv: { WORKER_CONCURRENCY: '4' },
      catalog: {
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          {
            name: 'recorded',
            deployments: [{ id: 'mock', provider: 'openai', upstream_model: 'mock-model', base_url: `${upstream.url}/v1`, api_key_env: 'MOCK_UPSTREAM_KEY' }],
          },
        ],
        groups: [],
      },
    });
    alice = new Api(cluster.gatewayUrl, CLUSTER_KEYS.alice);
    bob = new Api(cluster.gatewayUrl, CLUSTER_KEYS.bob);
    db = new Client({ connectionString: cluster.directDatabaseUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await cluster?.destroy();
    await upstream?.close();
    await receiver?.stop();
  });

  const statusCounts = async (tenant: string): Promise<Record<string, number>> => {
    const { rows } = await db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs WHERE tenant_id = $1 GROUP BY status', [
      tenant,
    ]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  };

  async function submitMany(api: Api, count: number, body: (i: number) => object, lanes = 32): Promise<string[]> {
    const ids: string[] = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < count) {
          const i = next++;
          const res = await api.post('/v1/chat/completions', body(i));
          if (res.status !== 202) throw new Error(`submit ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
          ids[i] = res.body.job_id;
        }
      }),
    );
    return ids;
  }

  it('a job still queued past its deadline ends expired, is announced on its stream and webhook, and never reaches the provider', async () => {
    const body = (i: number) => ({ model: 'recorded', priority: 'high', expires_in: 1, messages: [{ role: 'user', content: `expire me ${i}` }] });
    const [streamed, ...rest] = await submitMany(alice, 3, body, 1);
    const hooked = await alice.post('/v1/chat/completions', { ...body(3), callback_url: receiver.url });
    expect(hooked.status).toBe(202);
    receiver.trust(hooked.body.callback_secret);
    const stream = await openSse(`${cluster.gatewayUrl}/v1/jobs/${streamed}/stream`, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    for (const id of [streamed!, ...rest, hooked.body.job_id]) {
      const job = await alice.waitForJob(id, ['expired', 'completed', 'failed', 'cancelled'], 15_000);
      expect(job).toMatchObject({ status: 'expired', result: null, attempts: 0, timestamps: { started: null } });
      expect(Date.parse(job.timestamps.expired)).toBeGreaterThanOrEqual(Date.parse(job.expires_at));
    }
    await stream.done;
    // `queued` (again every STREAM_STANDING_MS while it waits), then `expired`, which ends the stream.
    const names = stream.events.map((e) => e.event);
    expect(names.at(-1)).toBe('expired');
    expect(new Set(names.slice(0, -1))).toEqual(new Set(['queued']));
    const [webhook] = await receiver.waitFor(1);
    expect(JSON.parse(webhook!.body)).toMatchObject({ type: 'job.expired', data: { job_id: hooked.body.job_id, status: 'expired' } });
    expect(receiver.unverified()).toEqual([]);
    // A deadline already passed is refused up front, in OpenAI's error shape.
    const past = await alice.post('/v1/chat/completions', { ...body(9), expires_in: undefined, expires_at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ type: 'invalid_request_error', param: 'expires_at' });
  }, 60_000);

  it(`tenant B's ${NEWCOMER} jobs finish while most of tenant A's ${BACKLOG} earlier ones of the same band are still queued; positions count down`, async () => {
    await submitMany(alice, BACKLOG, (i) => ({ priority: 'low', messages: [{ role: 'user', content: `backlog ${i}` }] }));
    const newcomers = await submitMany(bob, NEWCOMER, (i) => ({ priority: 'low', messages: [{ role: 'user', content: `newcomer ${i}` }] }), 1);
    const last = newcomers.at(-1)!;

    // Before any worker runs: B's last job waits behind B's 49 and, in turn, as many of A's; A's last behind all.
    const standing = (await bob.get(`/v1/jobs/${last}/status`)).body.queue;
    expect(standing).toEqual({ position: NEWCOMER * 2, ahead_in_higher_bands: 0, estimated_start_at: null });
    expect((await alice.get(`/v1/jobs/${(await lastJobOf('tenant-alice'))!}`)).body.queue.position).toBe(BACKLOG + NEWCOMER);

    const stream = await openSse(`${cluster.gatewayUrl}/v1/jobs/${last}/stream`, { authorization: `Bearer ${CLUSTER_KEYS.bob}` });
    const positions: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await bob.get(`/v1/jobs/${last}/status`);
        if (res.body.status !== 'queued') break;
        positions.push(res.body.queue.position);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    await Promise.all([cluster.addInference(), cluster.addInference()]);
    let aliceWhenBobDone: Record<string, number> = {};
    for (;;) {
      const bobs = await statusCounts('tenant-bob');
      if ((bobs.completed ?? 0) === NEWCOMER) {
        aliceWhenBobDone = await statusCounts('tenant-alice');
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    polling = false;
    await poller;
    await stream.done;

    // Most of A's backlog is still queued: B's jobs took turns with A's instead of waiting behind all of them.
    expect(aliceWhenBobDone.queued ?? 0).toBeGreaterThan(BACKLOG / 2);
    // And B waited for about as many of A's jobs as it ran itself (one turn each), plus what the two workers held.
    const aliceRan = BACKLOG - (aliceWhenBobDone.queued ?? 0);
    expect(aliceRan).toBeLessThan(NEWCOMER * 3);

    // Positions only ever went down, from where they started, and the stream said so as well.
    expect(positions.length).toBeGreaterThan(1);
    expect(positions[0]).toBeLessThanOrEqual(NEWCOMER * 2);
    expect(positions.every((p, i) => i === 0 || p <= positions[i - 1]!)).toBe(true);
    expect(new Set(positions).size).toBeGreaterThan(1);
    const queuedEvents = stream.events.filter((e: SseEvent) => e.event === 'queued').map((e) => JSON.parse(e.data).queue?.position as number);
    expect(queuedEvents[0]).toBe(NEWCOMER * 2);
    expect(queuedEvents.every((p, i) => i === 0 || p <= queuedEvents[i - 1]!)).toBe(true);
    expect(stream.events.at(-1)!.event).toBe('completed');
  }, 240_000);

  it('a job whose deadline is ahead runs normally, and only it ever reached the provider', async () => {
    const res = await alice.post('/v1/chat/completions', {
      model: 'recorded',
      priority: 'high',
      expires_in: 600,
      messages: [{ role: 'user', content: 'in time' }],
    });
    expect(res.status).toBe(202);
    const job = await alice.waitForJob(res.body.job_id, ['completed', 'failed', 'cancelled', 'expired'], 30_000);
    expect({ status: job.status, error: job.error }).toEqual({ status: 'completed', error: null });
    // The expired jobs' messages were delivered to the workers (high band, before any of the backlog) and skipped.
    expect(upstream.requests.map((r) => JSON.stringify(r.body.messages))).toEqual([JSON.stringify([{ role: 'user', content: 'in time' }])]);
  }, 60_000);

  async function lastJobOf(tenant: string): Promise<string | undefined> {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM jobs WHERE tenant_id = $1 AND status = 'queued' ORDER BY id DESC LIMIT 1", [tenant]);
    return rows[0]?.id;
  }
});
