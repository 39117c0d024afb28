import amqp from 'amqplib';
import { DEFAULT_TOPOLOGY, jobQueue, shardOf } from '@conveyor/messaging';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, SEED_BODY } from '../support/http.util';
import { MockUpstream } from '../support/mock-llm/mock-upstream.server';
import { openAiStreamFrames } from '../support/mock-llm/openai-stream.fixture';
import { sseReply } from '../support/mock-llm/reply.util';
import { EventTap } from '../support/event-tap.util';
import { openSse, reassemble } from '../support/sse-client.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

/** This file's own vhost, fresh for the run: nothing another run or file left behind is consumed here. */
const VHOST = runVhostName('e2e_services');
let brokerUrl = '';

/**
 * The separate-services deployment: gateway, persistence, notification and inference each in its own process,
 * over the real RabbitMQ and PostgreSQL.
 */
describe('separate services over RabbitMQ and PostgreSQL', () => {
  const started: ServiceProcess[] = [];
  let env: Record<string, string>;
  let alice: Api;
  let bob: Api;
  let tap: EventTap;
  let upstream: MockUpstream;
  const STREAMED = ['Partial ', 'text ', 'so far'];

  const start = async (app: 'gateway' | 'inference' | 'persistence' | 'notification', extra: Record<string, string> = {}, name?: string) => {
    const service = ServiceProcess.start(app, { ...env, ...extra }, name);
    started.push(service);
    await service.waitForLog(/listening on|running \d+ job|consuming/);
    return service;
  };
  const fastWorker = {
    WORKER_CONCURRENCY: '1',
    SIMULATED_TTFT_MS: '5',
    SIMULATED_TOKENS_PER_SECOND: '2000',
    SIMULATED_MIN_TOKENS: '4',
    SIMULATED_MAX_TOKENS: '8',
  };

  beforeAll(async () => {
    // A fresh vhost starts from empty queues: nothing an earlier run left behind runs ahead of this run's jobs.
    brokerUrl = await recreateVhost(VHOST);
    // An OpenAI-compatible upstream that streams a little, then hangs: only a cancel ends its job.
    upstream = await MockUpstream.start(sseReply(openAiStreamFrames({ pieces: STREAMED, done: false }), 'stall'));
    const catalog = join(mkdtempSync(join(tmpdir(), 'conveyor-catalog-')), 'models.json');
    writeFileSync(
      catalog,
      JSON.stringify({
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          {
            name: 'hanging-upstream',
            deployments: [{ id: 'mock', provider: 'openai', upstream_model: 'mock-model', base_url: `${upstream.url}/v1`, api_key_env: 'MOCK_UPSTREAM_KEY' }],
          },
        ],
        groups: [],
      }),
    );
    const port = await freePort();
    env = {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: 'tok-alice-secret:tenant-alice,tok-bob-secret:tenant-bob',
      RETRY_DELAY_MS: '200',
      MODEL_CATALOG_FILE: catalog,
      MOCK_UPSTREAM_KEY: 'sk-mock-upstream-key',
    };
    tap = await EventTap.open(brokerUrl, ['job.*.*']);
    await start('persistence');
    await start('notification');
    await start('gateway');
    alice = new Api(`http://127.0.0.1:${port}`, 'tok-alice-secret');
    bob = alice.as('tok-bob-secret');
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await tap?.close();
    await upstream?.close();
    await deleteVhost(VHOST);
  });

  it('marks a job failed when its message is dead-lettered, instead of leaving it queued forever', async () => {
    // No worker runs yet: take the job's message off its band and reject it, as a broker would a poison message.
    const submitted = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'doomed' }], priority: 'low' });
    expect(submitted.status).toBe(202);
    const connection = await amqp.connect(brokerUrl);
    const channel = await connection.createChannel();
    const message = await channel.get(jobQueue('low', shardOf('tenant-alice', DEFAULT_TOPOLOGY)), { noAck: false });
    expect(message && JSON.parse(message.content.toString()).job_id).toBe(submitted.body.job_id);
    channel.nack(message as amqp.GetMessage, false, false);
    await channel.close(); // waits for the broker, so the reject is processed before the connection goes
    await connection.close();
    const job = await alice.waitForJob(submitted.body.job_id, ['failed']);
    expect(job.error).toEqual({ code: 'internal_error', message: expect.stringContaining('dead-lettered before it finished (rejected)') });
  });

  it('under a backlog, one worker finishes 5 high jobs before any of 20 low ones queued before them', async () => {
    const low: string[] = [];
    const high: string[] = [];
    for (let i = 0; i < 20; i += 1)
      low.push((await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: `low ${i}` }], priority: 'low' })).body.job_id);
    for (let i = 0; i < 5; i += 1)
      high.push((await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: `high ${i}` }], priority: 10 })).body.job_id);
    // Band order holds among what a worker holds: a window wider than the high backlog holds all five at once.
    // With the default window (concurrency + 1), order past it rests on the broker refilling within the scheduler's
    // bounded refill wait, which a loaded machine can miss; the scheduler's unit spec covers that wait.
    await start('inference', { ...fastWorker, WORKER_PREFETCH: '6' }, 'worker-priority');
    const jobs = await Promise.all([...high, ...low].map((id) => alice.waitForJob(id)));
    const completedAt = (j: any) => Date.parse(j.timestamps.completed);
    const lastHigh = Math.max(...jobs.slice(0, 5).map(completedAt));
    const firstLow = Math.min(...jobs.slice(5).map(completedAt));
    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    expect(lastHigh).toBeLessThanOrEqual(firstLow);
    expect(jobs.slice(0, 5).every((j) => j.priority === 'high')).toBe(true);
  });

  it('replays the seed 000 flow: submit, poll to completed, list completed, tenant isolation', async () => {
    const submitted = await alice.post('/v1/chat/completions', SEED_BODY);
    expect(submitted.status).toBe(202);
    expect((await alice.get(`/v1/jobs/${submitted.body.job_id}`)).status).toBe(200);
    const job = await alice.waitForJob(submitted.body.job_id);
    expect(job).toMatchObject({ status: 'completed', model: 'simulated', attempts: 1, error: null });
    expect(job.result.object).toBe('chat.completion');
    const completed = await alice.get('/v1/jobs?status=completed&limit=100');
    expect(completed.body.data.map((j: { job_id: string }) => j.job_id)).toContain(job.job_id);
    expect((await bob.get(`/v1/jobs/${job.job_id}`)).status).toBe(404);
    expect((await bob.get('/v1/jobs?status=completed')).body.data).toEqual([]);
    // One trace: the caller's traceparent reaches the worker's events through the gateway and the broker.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = await alice.post('/v1/chat/completions', SEED_BODY, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await alice.waitForJob(traced.body.job_id);
    await tap.until(() => tap.of(traced.body.job_id, 'job.completed').length === 1);
    for (const type of ['job.started', 'job.completed']) {
      expect(String(tap.of(traced.body.job_id, type)[0]!.headers.traceparent)).toContain(traceId);
    }
    const health = await alice.as(undefined).get('/health');
    expect(health.body).toEqual({ status: 'ok', broker: { ready: true }, database: { ready: true } });
  });

  it('a worker killed with SIGKILL mid-job loses nothing: the job completes on another worker, exactly once', async () => {
    await Promise.all(started.filter((s) => s.name.startsWith('worker')).map((s) => s.stop()));
    const slow = await start(
      'inference',
      { WORKER_CONCURRENCY: '1', SIMULATED_TTFT_MS: '100', SIMULATED_TOKENS_PER_SECOND: '10', SIMULATED_MIN_TOKENS: '40', SIMULATED_MAX_TOKENS: '40' },
      'worker-doomed',
    );
    const submitted = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'survive a crash' }] });
    expect(submitted.status).toBe(202);
    const id = submitted.body.job_id;
    // A stream client watches the text: without one, a worker publishes no chunks (the result carries the text).
    const watching = await openSse(`${alice.baseUrl}/v1/jobs/${id}/stream`, { authorization: 'Bearer tok-alice-secret' });
    await tap.until(() => tap.of(id, 'job.delta').length >= 3); // mid-generation
    await slow.kill();
    await start('inference', { ...fastWorker, SIMULATED_MIN_TOKENS: '40', SIMULATED_MAX_TOKENS: '40' }, 'worker-rescuer');
    const job = await alice.waitForJob(id);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBe(2);
    await tap.until((events) => events.some((e) => e.payload.job_id === id && e.type === 'job.completed'));
    expect(tap.of(id, 'job.completed')).toHaveLength(1);
    expect(tap.of(id, 'job.started').map((e) => e.payload.attempt)).toEqual([1, 2]);
    expect(job.result.usage.completion_tokens).toBe(40);
    await watching.done;
    expect(reassemble(watching.events)).toBe(job.result.choices[0].message.content);
  });

  it('cancels a running job: the worker aborts the upstream call and the job keeps its partial text', async () => {
    const submitted = await alice.post('/v1/chat/completions', { model: 'hanging-upstream', messages: [{ role: 'user', content: 'never ends' }] });
    expect(submitted.status).toBe(202);
    const id = submitted.body.job_id;
    const watching = await openSse(`${alice.baseUrl}/v1/jobs/${id}/stream`, { authorization: 'Bearer tok-alice-secret' });
    // Deltas are coalesced, so wait for the text rather than a count of chunks.
    await tap.until(
      () =>
        tap
          .of(id, 'job.delta')
          .map((e) => e.payload.content)
          .join('') === STREAMED.join(''),
    );
    const cancelled = await alice.post(`/v1/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: null, partial_result: { content: STREAMED.join('') } });
    expect(cancelled.body.partial_result.usage.completion_tokens).toBeGreaterThan(0);
    const aborted = await upstream.clientDisconnect();
    expect(aborted.headers.authorization).toBe('Bearer sk-mock-upstream-key');
    expect(tap.of(id, 'job.completed')).toHaveLength(0);
    await tap.until(() => tap.of(id, 'job.cancelled').length === 1);
    await watching.done;
    expect(watching.events.at(-1)?.event).toBe('cancelled');
  });

  it('cancels a job that a worker began before its row said running: the cancel ends it as queued, and the worker stops the call', async () => {
    // Persistence is down, so the worker's start is not written and the row reads queued while the call runs.
    const persistence = started.find((s) => s.name === 'persistence')!;
    await persistence.stop();
    const calls = upstream.requests.length;
    const submitted = await alice.post('/v1/chat/completions', { model: 'hanging-upstream', messages: [{ role: 'user', content: 'started unseen' }] });
    expect(submitted.status).toBe(202);
    const id = submitted.body.job_id;
    await tap.until(() => tap.of(id, 'job.started').length === 1 && upstream.requests.length === calls + 1);
    const cancelled = await alice.post(`/v1/jobs/${id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: null });
    const call = upstream.requests[calls]!;
    expect(call.body.messages).toEqual([{ role: 'user', content: 'started unseen' }]);
    // The call hangs until it is aborted: the worker heard the job end and stopped it.
    for (const deadline = Date.now() + 10_000; !call.clientDisconnected && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
    expect(call.clientDisconnected).toBe(true);
    // The worker's outcome for persistence: cancelled, with the text it had.
    const outcomes = () => tap.events.filter((e) => e.routingKey === `job.outcome.${id}`);
    await tap.until(() => outcomes().length === 1);
    expect(outcomes()[0]!.payload).toMatchObject({ type: 'job.cancelled', event: { job_id: id } });
    expect(tap.of(id, 'job.completed')).toHaveLength(0);
    await start('persistence');
  });
});
