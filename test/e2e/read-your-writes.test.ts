import { randomBytes } from 'node:crypto';
import { CLUSTER_KEYS, Cluster } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { openSse } from '../support/sse-client.util';

const ROUND_TRIPS = 1_000;
const CONCURRENCY = 40;
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Read-your-writes across separate processes (gateway, persistence, notification, streaming, two workers) over the
 * real RabbitMQ and PostgreSQL: a client that hears a job's end — on its SSE stream, or as a synchronous OpenAI
 * answer — and then reads the job must find the row already terminal. Jobs are fast (a few ms), so the end races
 * the row write as closely as it can.
 */
describe('read-your-writes: no terminal event before the row says so (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let api: Api;

  beforeAll(async () => {
    cluster = await Cluster.start({
      name: `ryw_${randomBytes(4).toString('hex')}`,
      inference: 2,
      notification: true,
      env: { SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0', SIMULATED_MIN_TOKENS: '4', SIMULATED_MAX_TOKENS: '8' },
      inferenceEnv: { WORKER_CONCURRENCY: '16' },
    });
    api = new Api(cluster.gatewayUrl, CLUSTER_KEYS.alice);
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it(`${ROUND_TRIPS} stream-then-GET round trips: the row is terminal after every terminal event`, async () => {
    const stale: string[] = [];
    let next = 0;
    const roundTrip = async () => {
      const submitted = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: `ryw ${next}` }] });
      expect(submitted.status).toBe(202);
      const id: string = submitted.body.job_id;
      const stream = await openSse(`${cluster.gatewayUrl}/v1/jobs/${id}/stream`, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
      expect(stream.status).toBe(200);
      await stream.done;
      const end = stream.events.at(-1)!;
      expect(TERMINAL.has(end.event)).toBe(true);
      const row = await api.get(`/v1/jobs/${id}`);
      if (row.body.status !== end.event) stale.push(`${id}: heard ${end.event}, read ${row.body.status}`);
    };
    const lanes = Array.from({ length: CONCURRENCY }, async () => {
      while (next < ROUND_TRIPS) {
        next += 1;
        await roundTrip();
      }
    });
    await Promise.all(lanes);
    expect(next).toBe(ROUND_TRIPS);
    expect(stale).toEqual([]);
  }, 240_000);

  it('200 synchronous OpenAI answers then GETs: the row is terminal after every answer', async () => {
    const stale: string[] = [];
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await api.post('/openai/v1/chat/completions', { messages: [{ role: 'user', content: `sync ${i}` }] });
        expect(res.status).toBe(200);
        const id = res.headers.get('x-conveyor-job-id')!;
        const row = await api.get(`/v1/jobs/${id}`);
        if (row.body.status !== 'completed') stale.push(`${id}: answered, read ${row.body.status}`);
        return res.body.choices[0].message.content as string;
      }),
    );
    expect(answers).toHaveLength(200);
    expect(stale).toEqual([]);
  }, 120_000);
});
