import { EventSource } from 'eventsource';
import { Cluster } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { MockUpstream } from '../support/mock-llm/mock-upstream.server';
import { openAiStreamFrames } from '../support/mock-llm/openai-stream.fixture';
import { jsonReply, sseReply } from '../support/mock-llm/reply.util';
import { adapt, commandsOf, runProgram, runShell, seedBlock, withApiKey } from '../support/seed-examples.util';

const KEYS = 'tok-alice-secret:tenant-alice,test-key-123:tenant-test,demo-key-456:tenant-demo';
const TOOL_USAGE = { prompt_tokens: 41, completion_tokens: 9, total_tokens: 50 };
const storedText = (job: any): string => job.result.choices[0].message.content;
/** A band's job queues: the intake's four shards (JOB_QUEUE_SHARDS' default). */
const shards = (band: string) => [0, 1, 2, 3].map((k) => `conveyor.jobs.${band}.${k}`);

/**
 * The seeds' APIs on the separate services (gateway, persistence, inference) over the real RabbitMQ and PostgreSQL,
 * in a vhost and database of their own (the cluster's: made with rabbitmqctl, dropped at the end). Upstreams that
 * answer 503 make seed 003's "All providers unavailable"; one that answers tool calls feeds its `tool_calls`.
 */
describe('the seeds’ APIs on the separate services (RabbitMQ + PostgreSQL)', () => {
  let cluster: Cluster;
  let upstreams: MockUpstream[];
  let tools: MockUpstream;
  let test: Api;
  let demo: Api;

  beforeAll(async () => {
    const down = () => MockUpstream.start(jsonReply(503, { error: { message: 'overloaded', type: 'server_error' } }));
    tools = await MockUpstream.start(
      sseReply(
        openAiStreamFrames({
          pieces: [],
          toolCalls: [{ id: 'call_1', name: 'get_weather', argumentFragments: ['{"city":', '"Paris"}'] }],
          finishReason: 'tool_calls',
          usage: TOOL_USAGE,
        }),
      ),
    );
    upstreams = [await down(), await down(), tools];
    const openai = (id: string, mock: MockUpstream) => ({ id, provider: 'openai', upstream_model: 'mock-model', base_url: `${mock.url}/v1` });
    cluster = await Cluster.start({
      name: `seeds_${process.pid}`,
      inference: 0,
      streaming: false,
      notification: false,
      catalog: {
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          { name: 'primary', deployments: [openai('primary-down', upstreams[0]!)] },
          { name: 'backup', deployments: [openai('backup-down', upstreams[1]!)] },
          { name: 'tooling', deployments: [openai('tool-upstream', tools)] },
        ],
        groups: [
          { name: 'quality', models: ['primary'], fallback_groups: ['fast'] },
          { name: 'fast', models: ['backup'] },
          { name: 'agents', models: ['tooling'] },
        ],
      },
      env: {
        API_KEYS: KEYS,
        WORKER_IDLE_POLL_MS: '200',
        ROUTING_MAX_RETRIES: '0',
        ROUTING_BACKOFF_BASE_MS: '10',
        ROUTING_BACKOFF_MAX_MS: '50',
        SIMULATED_TTFT_MS: '50',
        SIMULATED_TOKENS_PER_SECOND: '200',
        SIMULATED_MIN_TOKENS: '12',
        SIMULATED_MAX_TOKENS: '24',
      },
      inferenceEnv: { WORKER_CONCURRENCY: '1' },
    });
    test = new Api(cluster.gatewayUrl, 'test-key-123');
    demo = new Api(cluster.gatewayUrl, 'demo-key-456');
  });

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all((upstreams ?? []).map((u) => u.close()));
  });

  it("seed 004's /stats reads each band's depth from RabbitMQ, then the bands drain in order once a worker starts", async () => {
    // No worker runs yet: what is submitted waits in the band queues.
    const ids: Record<string, string> = {};
    for (const [name, priority] of [
      ['low-1', -10],
      ['normal', 0],
      ['high', 10],
      ['low-2', -7],
    ] as const) {
      ids[name] = (await demo.post('/chat/async', { message: `job ${name}`, priority })).body.task_id;
    }
    const waiting = (await demo.get('/stats')).body;
    expect(waiting).toEqual({
      broker: { kind: 'rabbitmq', ready: true },
      queues: {
        high: { queues: shards('high'), messages: 1, consumers: 0 },
        normal: { queues: shards('normal'), messages: 1, consumers: 0 },
        low: { queues: shards('low'), messages: 2, consumers: 0 },
      },
      workers: { consumers: 0, busy: 0 },
      jobs: { queued: 4, running: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 },
    });

    await cluster.addInference();
    const jobs = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([name, id]) => [name, await demo.waitForJob(id)] as const)));
    const started = (name: string) => Date.parse(jobs[name].timestamps.started);
    expect(started('high')).toBeLessThan(started('normal'));
    expect(started('normal')).toBeLessThan(Math.min(started('low-1'), started('low-2')));
    expect(jobs.high.priority).toBe('high');

    const drained = (await demo.get('/stats')).body;
    expect(drained.queues).toMatchObject({ high: { messages: 0 }, normal: { messages: 0 }, low: { messages: 0 } });
    // The one worker, idle now, consumes every shard of every band: RabbitMQ counts it as the bands' consumer.
    expect(drained.workers).toEqual({ consumers: 1, busy: 0 });
    expect(drained.jobs).toEqual({ queued: 0, running: 0, completed: 4, failed: 0, cancelled: 0, expired: 0 });
  });

  it("runs seed 001's cURL complete flow unchanged through the queue", async () => {
    const out = await runShell(adapt(seedBlock('001', 'bash', 'TASK_ID=$(curl'), cluster.gatewayUrl));
    const taskId = /Task ID: (\S+)/.exec(out)![1]!;
    const job = await test.waitForJob(taskId);
    expect(out).toContain(JSON.stringify({ status: 'completed', task_id: taskId, result: storedText(job) }).slice(0, -1));
  });

  it("runs seed 001's browser EventSource example against a task on the real broker", async () => {
    const queued = (await test.post('/generate', { prompt: 'through rabbit', max_tokens: 64 })).body;
    const example = adapt(seedBlock('001', 'javascript', 'new EventSource('), cluster.gatewayUrl, { 'abc123-def456-ghi789': queued.task_id });
    const out = await runProgram('node', ['-'], `const { EventSource } = require('eventsource');\n${example}`);
    expect(out).toContain(`Result: ${storedText(await test.waitForJob(queued.task_id))}`);
  });

  it("runs seed 004's chat examples (key added) through the queue", async () => {
    const [submit, stream] = commandsOf(seedBlock('004', 'bash', '/chat/async'));
    const queued = JSON.parse(await runShell(withApiKey(adapt(submit!, cluster.gatewayUrl), 'test-key-123')));
    const out = await runShell(withApiKey(adapt(stream!, cluster.gatewayUrl, { yyy: queued.session_id }), 'test-key-123'));
    const frames = out
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    const job = await test.waitForJob(queued.task_id);
    expect(frames.at(-1)).toMatchObject({ type: 'complete' });
    expect(
      frames
        .filter((f) => f.type === 'chunk')
        .map((f) => f.content)
        .join(''),
    ).toBe(storedText(job));

    const sync = await fetch(`${cluster.gatewayUrl}/chat`, {
      method: 'POST',
      headers: { 'x-api-key': 'test-key-123', 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hello!', priority: 10 }),
    });
    expect(await sync.text()).toBe(storedText(await test.waitForJob(sync.headers.get('x-conveyor-job-id')!)));
  });

  describe('seed 003 when every provider of the group and its fallbacks is unavailable', () => {
    const body = { model: 'quality', messages: [{ role: 'user', content: 'Hello' }], tenant_id: 'konstruct-tenant-7' };

    it("answers POST /complete with the seed's 503 body", async () => {
      const res = await test.post('/complete', body);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: 'All providers unavailable' });
      expect(res.headers.get('retry-after')).toBeTruthy();
      const job = await test.waitForJob(res.headers.get('x-conveyor-job-id')!);
      expect(job).toMatchObject({ status: 'failed', error: { code: 'providers_unavailable' }, metadata: { client_tenant_id: 'konstruct-tenant-7' } });
      // The group's own deployment, then its fallback group's: both upstreams were called.
      expect(upstreams[0]!.requests.length).toBeGreaterThan(0);
      expect(upstreams[1]!.requests.length).toBeGreaterThan(0);
    });

    it("ends POST /complete/stream with the seed's error line", async () => {
      const res = await fetch(`${cluster.gatewayUrl}/complete/stream`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-key-123', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`${JSON.stringify({ type: 'error', message: 'All providers unavailable', code: 'providers_unavailable' })}\n`);
    });

    it("gives seed 001's error form for a task that failed so, and its stream ends failed", async () => {
      const queued = (await test.post('/generate', { prompt: 'no provider for me', model: 'quality' })).body;
      await test.waitForJob(queued.task_id);
      expect((await test.get(`/result/${queued.task_id}`)).body).toEqual({
        status: 'error',
        task_id: queued.task_id,
        error_message: expect.any(String),
        error_type: 'ProvidersUnavailable',
      });
      expect((await test.get(`/status/${queued.task_id}`)).body).toMatchObject({ status: 'failed' });
      const frames: any[] = [];
      await new Promise<void>((resolve) => {
        const source = new EventSource(`${cluster.gatewayUrl}/stream/${queued.task_id}?api_key=test-key-123`);
        source.onmessage = (e) => {
          frames.push(JSON.parse(e.data));
          if (frames.at(-1).status === 'failed') {
            source.close();
            resolve();
          }
        };
      });
      expect(frames.at(-1)).toMatchObject({ status: 'failed', error_type: 'ProvidersUnavailable' });
    });

    it('shows the failing deployments in /health/full, from the calls the workers recorded', async () => {
      const health = (await test.get('/health/full')).body;
      expect(health).toMatchObject({ status: 'ok', broker: { kind: 'rabbitmq', ready: true }, database: { ready: true } });
      const deployments = Object.fromEntries(health.models.flatMap((m: any) => m.deployments).map((d: any) => [d.id, d]));
      expect(deployments['primary-down']).toMatchObject({ state: 'failing', recent: { last_outcome: 'error' } });
      expect(deployments['backup-down'].state).toBe('failing');
      expect(deployments.simulated).toMatchObject({ state: 'ok', recent: { last_outcome: 'ok' } });
    });
  });

  it("answers seed 003's tool calls in OpenAI's format, with the upstream's usage", async () => {
    const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
    const res = await test.post('/complete', { model: 'agents', messages: [{ role: 'user', content: 'Weather in Paris?' }], tenant_id: 't', tools: [weather] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      content: '',
      model: 'agents',
      usage: TOOL_USAGE,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(tools.requests.at(-1)!.body.tools).toEqual([weather]);
  });
});
