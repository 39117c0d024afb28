import { EventSource } from 'eventsource';
import OpenAI from 'openai';
import { JobAcceptedViewSchema, JobViewSchema } from '@conveyor/contracts';
import { Api } from '../support/http.util';
import { validateOpenApi } from '../support/openapi-validator.util';
import { adapt, commandsOf, mappedRoutes, pythonWithRequests, runProgram, runShell, seedBlock, withApiKey } from '../support/seed-examples.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { openSse } from '../support/sse-client.util';

const EMBEDDED_ENV = {
  HOST: '127.0.0.1',
  EMBEDDED_DATA_DIR: 'memory',
  LOG_LEVEL: 'log',
  WORKER_CONCURRENCY: '4',
  SIMULATED_TTFT_MS: '100',
  SIMULATED_TOKENS_PER_SECOND: '150',
  SIMULATED_MIN_TOKENS: '12',
  SIMULATED_MAX_TOKENS: '30',
  // The demo keys get seed 001's 60 requests a minute by default; this suite sends more than that on purpose.
  RATE_LIMIT_KEY_RPM: '100000',
};

async function startEmbedded(extra: Record<string, string> = {}): Promise<{ app: ServiceProcess; base: string }> {
  const port = await freePort();
  const app = ServiceProcess.start('embedded', { ...EMBEDDED_ENV, PORT: String(port), ...extra });
  await app.waitForLog(/Conveyor is running/, 60_000);
  return { app, base: `http://127.0.0.1:${port}` };
}

const json = (text: string) => JSON.parse(text);
/** A band's job queues: the intake's four shards (JOB_QUEUE_SHARDS' default). */
const shards = (band: string) => [0, 1, 2, 3].map((k) => `conveyor.jobs.${band}.${k}`);
const storedText = (job: any): string => job.result.choices[0].message.content;

/** Reads an NDJSON answer line by line, as seed 003's orchestrator does, as the lines arrive. */
async function ndjsonLines(res: Response): Promise<any[]> {
  const lines: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  }
  expect(buffer).toBe(''); // every line ends with a newline
  return lines;
}

/**
 * Every seed's examples against the embedded default (`npm start`: one process, in-process broker, embedded
 * PostgreSQL, the simulated provider), with the seeds' own demo keys and nothing configured. The shell, Python and
 * Node examples are read from the seeds' READMEs and run as written, only pointed at this server.
 */
describe('the seeds’ APIs on the embedded default (in-process broker, embedded PGlite)', () => {
  let app: ServiceProcess;
  let base: string;
  let test: Api;

  beforeAll(async () => {
    ({ app, base } = await startEmbedded());
    test = new Api(base, 'test-key-123');
  });
  afterAll(async () => {
    await app?.stop();
  });

  describe('seed 000 (queued chat completions)', () => {
    it('runs the README example unchanged: submit, poll, list completed', async () => {
      const [submit, poll, list] = commandsOf(seedBlock('000', 'bash', '/v1/chat/completions'));
      const submitted = json(await runShell(adapt(submit!, base)));
      expect(submitted).toMatchObject({ job_id: expect.any(String), status: 'queued' });
      const job = await new Api(base, 'tok-alice-secret').waitForJob(submitted.job_id);
      const polled = json(await runShell(adapt(poll!, base, { '<job_id>': submitted.job_id })));
      expect(polled).toMatchObject({ job_id: submitted.job_id, status: 'completed', result: job.result });
      const listed = json(await runShell(adapt(list!, base)));
      expect(listed.data.map((j: any) => j.job_id)).toContain(submitted.job_id);
    });
  });

  describe('seed 001 (generate, status, result, stream)', () => {
    it("answers the README's health check with Conveyor's health, without a key", async () => {
      expect(json(await runShell(adapt(seedBlock('001', 'bash', 'curl http://localhost:8000/health'), base)))).toEqual({
        status: 'ok',
        broker: { ready: true },
        database: { ready: true },
      });
    });

    it('runs the submit, status and result examples unchanged', async () => {
      const queued = json(await runShell(adapt(seedBlock('001', 'bash', 'reverse a string'), base)));
      expect(queued).toEqual({
        status: 'queued',
        task_id: expect.any(String),
        message: 'Your request is being processed. Use the task_id to check status.',
      });
      const ids = { 'abc123-def456-ghi789': queued.task_id };
      const status = json(await runShell(adapt(seedBlock('001', 'bash', '/status/abc123-def456-ghi789'), base, ids)));
      expect(status).toMatchObject({ task_id: queued.task_id, status: expect.stringMatching(/^(queued|processing|completed)$/), message: expect.any(String) });
      const job = await test.waitForJob(queued.task_id);
      const result = json(await runShell(adapt(seedBlock('001', 'bash', '/result/abc123-def456-ghi789'), base, ids)));
      const { usage } = job.result;
      expect(result).toEqual({
        status: 'completed',
        task_id: queued.task_id,
        result: storedText(job),
        metrics: {
          queue_wait_time: expect.any(Number),
          processing_time: expect.any(Number),
          total_time: expect.any(Number),
          prompt_tokens: usage.prompt_tokens,
          completion_tokens: usage.completion_tokens,
          tokens_per_second: expect.any(Number),
        },
      });
      expect(result.metrics.total_time).toBeCloseTo(result.metrics.queue_wait_time + result.metrics.processing_time, 2);
      expect(result.metrics.tokens_per_second).toBeGreaterThan(0);
      // The seed's request, as a job: its prompt, max_tokens 256, temperature 0.7 and default top_p 0.9.
      expect(job).toMatchObject({ status: 'completed', priority: 'normal' });
    });

    it('runs the cURL complete flow unchanged (submit, status, sleep 5, result)', async () => {
      const out = await runShell(adapt(seedBlock('001', 'bash', 'TASK_ID=$(curl'), base));
      const taskId = /Task ID: (\S+)/.exec(out)![1]!;
      const job = await test.waitForJob(taskId);
      expect(out).toContain(`"task_id":"${taskId}"`);
      expect(out).toContain(JSON.stringify({ status: 'completed', task_id: taskId, result: storedText(job) }).slice(0, -1));
    });

    it('runs the Python example unchanged (requests, polling /result)', async () => {
      const out = await runProgram(await pythonWithRequests(), ['-'], adapt(seedBlock('001', 'python', 'import requests'), base));
      const taskId = /Task ID: (\S+)/.exec(out)![1]!;
      const job = await test.waitForJob(taskId);
      expect(out).toContain(`Result: ${storedText(job)}`);
      expect(out).toMatch(/Metrics: \{'queue_wait_time': [\d.]+, 'processing_time': [\d.]+, 'total_time': [\d.]+, 'prompt_tokens': \d+/);
    });

    it('runs the Node.js example unchanged (axios, polling /result)', async () => {
      const out = await runProgram('node', ['-'], adapt(seedBlock('001', 'javascript', "require('axios')"), base));
      const taskId = /Task ID: (\S+)/.exec(out)![1]!;
      const job = await test.waitForJob(taskId);
      expect(out).toContain(`Result: ${storedText(job)}`);
      expect(out).toContain('Metrics:');
    });

    it('runs the browser EventSource example (with the eventsource package as the EventSource)', async () => {
      const queued = (await test.post('/generate', { prompt: 'stream me to a browser', max_tokens: 64 })).body;
      const example = adapt(seedBlock('001', 'javascript', 'new EventSource('), base, { 'abc123-def456-ghi789': queued.task_id });
      const out = await runProgram('node', ['-'], `const { EventSource } = require('eventsource');\n${example}`);
      const job = await test.waitForJob(queued.task_id);
      expect(out).toContain('processing Task is currently being processed');
      expect(out).toContain('completed Task completed successfully');
      expect(out).toContain(`Result: ${storedText(job)}`);
    });

    it("streams a finished task's progress and whole result too, with the key in a header", async () => {
      const queued = (await test.post('/generate', { prompt: 'done before you look' })).body;
      const job = await test.waitForJob(queued.task_id);
      const sse = await openSse(`${base}/stream/${queued.task_id}`, { 'x-api-key': 'test-key-123' });
      await sse.done;
      const frames = sse.events.map((e) => ({ event: e.event, id: e.id, ...JSON.parse(e.data) }));
      expect(frames.every((f) => f.event === 'message' && f.id === undefined && f.task_id === queued.task_id)).toBe(true);
      expect(
        frames
          .filter((f) => f.delta)
          .map((f) => f.delta)
          .join(''),
      ).toBe(storedText(job));
      expect(frames.at(-1)).toMatchObject({ status: 'completed', result: storedText(job) });
    });

    it('takes user_id, answers 400 for invalid parameters, 401 for a wrong key and 404 for an unknown task', async () => {
      const tracked = await test.post('/generate', { prompt: 'Your prompt', user_id: 'user-12345' });
      expect(tracked.status).toBe(202);
      expect((await test.waitForJob(tracked.body.task_id)).metadata).toEqual({ user_id: 'user-12345' });
      expect((await test.post('/generate', { prompt: 'x', temperature: 2.5 })).body.error.param).toBe('temperature');
      expect((await test.post('/generate', { max_tokens: 10 })).status).toBe(400);
      const wrong = new Api(base, 'wrong-key-999');
      for (const res of [
        await wrong.post('/generate', { prompt: 'x' }),
        await wrong.get(`/status/${tracked.body.task_id}`),
        await wrong.get(`/result/${tracked.body.task_id}`),
        await wrong.get(`/stream/${tracked.body.task_id}`),
      ]) {
        expect(res.status).toBe(401);
      }
      const unknown = '0190b6d4-0000-7000-8000-000000000000';
      for (const path of [`/status/${unknown}`, `/result/${unknown}`, `/stream/${unknown}`, '/status/abc123-def456-ghi789']) {
        expect((await test.get(path)).status).toBe(404);
      }
      // Another tenant's task is unknown to this one.
      expect((await new Api(base, 'demo-key-456').get(`/result/${tracked.body.task_id}`)).status).toBe(404);
    });
  });

  describe('seed 003 (LLM pool)', () => {
    const messages = [{ role: 'user', content: 'Summarise the queue' }];

    it.each(['quality', 'fast'])('answers POST /complete for the %s group with the text and the real usage', async (model) => {
      const res = await test.post('/complete', { model, messages, tenant_id: '0b7c2c4e-tenant' });
      expect(res.status).toBe(200);
      const job = await test.waitForJob(res.headers.get('x-conveyor-job-id')!);
      expect(res.body).toEqual({ content: storedText(job), model, usage: job.result.usage, tool_calls: [] });
      expect(res.body.usage.completion_tokens).toBeGreaterThan(0);
      expect(job).toMatchObject({ model, metadata: { client_tenant_id: '0b7c2c4e-tenant' } });
      expect(job.provider_attempts[0]).toMatchObject({ deployment: `simulated-${model}`, provider: 'simulated' });
    });

    it('streams POST /complete/stream as NDJSON chunk lines, then done', async () => {
      const res = await fetch(`${base}/complete/stream`, {
        method: 'POST',
        headers: { 'x-api-key': 'test-key-123', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'fast', messages, tenant_id: 't-9' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = await ndjsonLines(res);
      expect(lines.at(-1)).toEqual({ type: 'done' });
      const chunks = lines.slice(0, -1);
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.every((l) => l.type === 'chunk' && typeof l.text === 'string')).toBe(true);
      const newest = (await test.get('/v1/jobs?limit=1')).body.data[0];
      expect(chunks.map((l) => l.text).join('')).toBe(storedText(await test.waitForJob(newest.job_id)));
    });

    it("validates the seed's body: model, messages and tenant_id are required", async () => {
      expect((await test.post('/complete', { model: 'fast', messages })).body.error.param).toBe('tenant_id');
      expect((await test.post('/complete/stream', { messages, tenant_id: 't' })).body.error.param).toBe('model');
      expect((await test.post('/complete', { model: 'no-such-group', messages, tenant_id: 't' })).status).toBe(404);
      expect((await test.as(undefined).post('/complete', { model: 'fast', messages, tenant_id: 't' })).status).toBe(401);
    });
  });

  describe('seed 004 (chat, stats)', () => {
    const key = 'test-key-123';

    it('runs the README examples with a key added: health/full, chat/async, then the SSE stream', async () => {
      const health = json(await runShell(withApiKey(adapt(seedBlock('004', 'bash', '/health/full'), base), key)));
      expect(health).toMatchObject({ status: 'ok', broker: { ready: true }, database: { ready: true } });
      expect(health.groups.map((g: any) => g.name)).toEqual(['quality', 'fast']);
      expect(health.models.flatMap((m: any) => m.deployments).every((d: any) => d.provider === 'simulated')).toBe(true);

      const [submit, stream] = commandsOf(seedBlock('004', 'bash', '/chat/async'));
      const queued = json(await runShell(withApiKey(adapt(submit!, base), key)));
      expect(queued).toEqual({ status: 'queued', task_id: expect.any(String), session_id: expect.any(String), stream_url: `/stream/${queued.session_id}` });
      const out = await runShell(withApiKey(adapt(stream!, base, { yyy: queued.session_id }), key));
      const frames = out
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)));
      const job = await test.waitForJob(queued.task_id);
      expect(frames.at(-1)).toEqual({ type: 'complete', finish_reason: job.result.choices[0].finish_reason });
      expect(frames.slice(0, -1).every((f) => f.type === 'chunk')).toBe(true);
      expect(
        frames
          .slice(0, -1)
          .map((f) => f.content)
          .join(''),
      ).toBe(storedText(job));
      expect(job.priority).toBe('high'); // the example's priority 5
    });

    it.each([
      [10, 'high'],
      [5, 'high'],
      [4, 'normal'],
      [0, 'normal'],
      [-4, 'normal'],
      [-5, 'low'],
      [-10, 'low'],
    ])('queues priority %i in the %s band', async (priority, band) => {
      const queued = (await test.post('/chat/async', { message: 'Hello!', priority })).body;
      expect((await test.get(`/chat/${queued.task_id}`)).body).toMatchObject({ task_id: queued.task_id, priority: band });
      expect((await test.waitForJob(queued.task_id)).priority).toBe(band);
    });

    it('streams to an EventSource with ?api_key=, and a reconnect with Last-Event-ID continues exactly', async () => {
      const queued = (await test.post('/chat/async', { message: 'a long answer for the browser' })).body;
      const received: any[] = [];
      await new Promise<void>((resolve, reject) => {
        const source = new EventSource(`${base}${queued.stream_url}?api_key=${key}`);
        source.onmessage = (event) => {
          const data = JSON.parse(event.data);
          received.push({ id: event.lastEventId, ...data });
          if (data.type === 'complete' || data.type === 'error') {
            source.close();
            resolve();
          }
        };
        source.onerror = () => reject(new Error('EventSource error'));
      });
      const job = await test.waitForJob(queued.task_id);
      const chunks = received.filter((f) => f.type === 'chunk');
      expect(chunks.map((f) => f.content).join('')).toBe(storedText(job));
      expect(received.at(-1)).toMatchObject({ type: 'complete' });

      const resumeFrom = chunks[Math.floor(chunks.length / 2)]!;
      const rest = await openSse(`${base}${queued.stream_url}`, { 'x-api-key': key, 'last-event-id': resumeFrom.id });
      await rest.done;
      const held = chunks
        .slice(0, chunks.indexOf(resumeFrom) + 1)
        .map((f) => f.content)
        .join('');
      const more = rest.events
        .map((e) => JSON.parse(e.data))
        .filter((f) => f.type === 'chunk')
        .map((f) => f.content)
        .join('');
      expect(held + more).toBe(storedText(job));
    });

    it('answers POST /chat with the reply streamed as plain text', async () => {
      const res = await fetch(`${base}/chat`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Hello!', priority: -10 }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const text = await res.text();
      const job = await test.waitForJob(res.headers.get('x-conveyor-job-id')!);
      expect(text).toBe(storedText(job));
      expect(job.priority).toBe('low');
    });

    it("reports GET /chat/{task_id} in Celery's states, by task id or session id", async () => {
      const queued = (await test.post('/chat/async', { message: 'status me' })).body;
      const job = await test.waitForJob(queued.task_id);
      for (const id of [queued.task_id, queued.session_id]) {
        expect((await test.get(`/chat/${id}`)).body).toEqual({
          task_id: queued.task_id,
          session_id: queued.session_id,
          status: 'SUCCESS',
          ready: true,
          model: 'simulated',
          priority: 'normal',
          result: storedText(job),
          usage: job.result.usage,
          error: null,
        });
      }
      expect((await test.get('/chat/0190b6d4-0000-7000-8000-000000000000')).status).toBe(404);
      expect((await test.get('/stream/sess_0190b6d4-0000-7000-8000-000000000000')).status).toBe(404);
      expect((await test.get('/stream/sess_nonsense')).status).toBe(404);
    });

    it("answers the README's POST /embeddings (a batch of texts) with the embedded default's simulated vectors, as /v1/embeddings does", async () => {
      const texts = ['Hello!', 'Bonjour !', 'Hello!'];
      const batch = await test.post('/embeddings', { texts, priority: 10 });
      expect(batch.status).toBe(200);
      expect(batch.body).toMatchObject({ task_id: batch.headers.get('x-conveyor-job-id'), model: 'simulated-embedding', dimensions: 1536 });
      const [hello, bonjour, again] = batch.body.embeddings as number[][];
      expect(hello).toHaveLength(1536);
      expect(again).toEqual(hello);
      expect(bonjour).not.toEqual(hello);
      expect(Math.sqrt(hello!.reduce((sum, v) => sum + v * v, 0))).toBeCloseTo(1, 5);
      expect(batch.body.usage).toEqual({ prompt_tokens: expect.any(Number), total_tokens: batch.body.usage.prompt_tokens });
      const job = await test.waitForJob(batch.body.task_id);
      expect(job).toMatchObject({ status: 'completed', priority: 'high', model: 'simulated-embedding' });

      const client = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: key, maxRetries: 0 });
      const viaSdk = await client.embeddings.create({ model: 'simulated-embedding', input: 'Hello!' });
      expect(Array.from(viaSdk.data[0]!.embedding)).toEqual(hello);
      const short = await test.post('/v1/embeddings', { input: 'Hello!', dimensions: 8, encoding_format: 'base64' });
      expect(short.body).toMatchObject({ object: 'list', model: 'simulated-embedding', data: [{ object: 'embedding', index: 0 }] });
      expect(Buffer.from(short.body.data[0].embedding, 'base64').length).toBe(8 * 4);
      expect((await test.post('/embeddings', { texts: 'not a list' })).body.error).toMatchObject({ param: 'texts', code: 'invalid_request' });
    });

    it("answers GET /stats with the bands' queues from the broker and the caller's jobs by status", async () => {
      const demo = new Api(base, 'demo-key-456');
      const ids = [(await demo.post('/chat/async', { message: 'one' })).body.task_id, (await demo.post('/chat/async', { message: 'two' })).body.task_id];
      for (const id of ids) await demo.waitForJob(id);
      const stats = (await demo.get('/stats')).body;
      expect(stats).toEqual({
        broker: { kind: 'in-process', ready: true },
        queues: {
          high: { queues: shards('high'), messages: expect.any(Number), consumers: expect.any(Number) },
          normal: { queues: shards('normal'), messages: expect.any(Number), consumers: expect.any(Number) },
          low: { queues: shards('low'), messages: expect.any(Number), consumers: expect.any(Number) },
        },
        workers: { consumers: expect.any(Number), busy: expect.any(Number) },
        jobs: { queued: 0, running: 0, completed: 2, failed: 0, cancelled: 0, expired: 0 },
      });
    });
  });

  describe('seed 002 (batch API: query, chat, settings, analytics)', () => {
    const bob = () => new Api(base, 'tok-bob-secret');
    /** The field names a README example shows (its chat example elides values with `...`, so it is not JSON). */
    const keysOf = (example: string) => [...new Set([...example.matchAll(/"(\w+)":/g)].map((m) => m[1]!))];
    const put = (body: string) => bob().request('PUT', '/v1/settings', body, { 'content-type': 'application/json' });

    it("answers the README's POST /v1/query body, as written, with the seed's GenerationResponse", async () => {
      const example = seedBlock('002', 'json', '"request_id": "uuid-or-string"');
      const res = await bob().request('POST', '/v1/query', example, { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      const job = await bob().waitForJob(res.body.job_id);
      expect(res.body).toMatchObject({
        request_id: 'uuid-or-string',
        username: 'user',
        text: storedText(job),
        tokens_used: job.result.usage.total_tokens,
        latency_ms: expect.any(Number),
        created_at: '2026-02-01T12:00:00Z',
        completed_at: job.timestamps.completed,
        batch_id: job.batch_id,
      });
      expect(job).toMatchObject({ priority: 'high', metadata: { username: 'user', request_id: 'uuid-or-string' } });
    });

    it("runs the quick batch test's mix (3 HIGH, 3 MEDIUM, 2 LOW at once), each visible in /v1/chat with its batch_id", async () => {
      const priorities = ['HIGH', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW'];
      const answers = await Promise.all(priorities.map((priority, i) => bob().post('/v1/query', { username: 'quick', prompt: `question ${i}`, priority })));
      expect(answers.map((a) => [a.status, a.body.priority])).toEqual(priorities.map((p) => [200, p]));
      const page = (await bob().get('/v1/chat?limit=100')).body;
      const { chats } = page;
      for (const answer of answers) {
        const chat = chats.find((c: any) => c.job_id === answer.body.job_id);
        expect(chat).toMatchObject({ batch_id: answer.body.batch_id, response: answer.body });
      }
      // Batched by band: fewer batches than requests, each batch within one priority.
      const batches = new Map<string, Set<string>>();
      for (const a of answers) batches.set(a.body.batch_id, (batches.get(a.body.batch_id) ?? new Set()).add(a.body.priority));
      expect(batches.has(null as unknown as string)).toBe(false);
      expect(batches.size).toBeLessThan(answers.length);
      expect([...batches.values()].every((priorities) => priorities.size === 1)).toBe(true);
      const shown = { ...page, ...chats[0], ...chats[0].request, ...chats[0].response };
      expect(keysOf(seedBlock('002', 'json', '"chats"')).filter((k) => !(k in shown))).toEqual([]);
    });

    it("round-trips the README's PUT /v1/settings body: the key masked as ***+last 4, in the GET example's shape", async () => {
      const change = await put(seedBlock('002', 'json', 'your-gemini-api-key'));
      expect(change.status).toBe(200);
      const shown = (await bob().get('/v1/settings')).body;
      expect(shown).toEqual(change.body);
      expect(shown).toMatchObject({
        api_key: '***-key',
        high_priority: { tokens: 1000, latency_ms: 500 },
        medium_priority: { tokens: 5000, latency_ms: 2000 },
        low_priority: { tokens: 10000, latency_ms: 5000 },
      });
      const example = JSON.parse(seedBlock('002', 'json', '"api_key": "***xxxx"'));
      expect(Object.keys(example).filter((k) => !(k in shown))).toEqual([]);
      expect(app.logs).not.toContain('your-gemini-api-key');
      // Partial: only what is given changes.
      expect((await put(JSON.stringify({ medium_priority: { tokens: 1234 } }))).body.medium_priority).toEqual({ tokens: 1234, latency_ms: 2000 });
    });

    it("answers GET /v1/analytics with the README's fields, counted from the tenant's jobs", async () => {
      const analytics = (await bob().get('/v1/analytics')).body;
      const example = JSON.parse(seedBlock('002', 'json', '"total_requests"'));
      expect(Object.keys(example).filter((k) => !(k in analytics))).toEqual([]);
      const jobs = (await bob().get('/v1/jobs?limit=100')).body.data;
      expect(analytics.total_requests).toBe(jobs.length);
      expect(analytics.priority_distribution.map((d: any) => d.name)).toEqual(['High', 'Medium', 'Low']);
      expect(analytics.high_priority).toBe(jobs.filter((j: any) => j.priority === 'high').length);
    });
  });

  describe('the API document', () => {
    it('serves valid OpenAPI 3.1 at /openapi.json, without a key, with every route the gateway mapped', async () => {
      const res = await fetch(`${base}/openapi.json`);
      expect(res.status).toBe(200);
      const doc: any = await res.json();
      expect(await validateOpenApi(doc)).toEqual({ valid: true, version: '3.1' });
      const mapped = mappedRoutes(app.logs);
      expect(mapped.length).toBeGreaterThan(30);
      const missing = mapped.filter(({ path, method }) => !doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method]);
      expect(missing).toEqual([]);
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`));
      expect(documented).toHaveLength(mapped.length);
      const operationIds = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
      expect(new Set(operationIds).size).toBe(operationIds.length);
    });

    it('describes the seed routes with the schemas that validate them and their answers', async () => {
      const doc: any = await (await fetch(`${base}/openapi.json`)).json();
      const generate = doc.paths['/generate'].post;
      expect(generate.requestBody.content['application/json'].schema.required).toEqual(['prompt']);
      expect(generate.responses['202'].content['application/json'].schema.properties.task_id).toEqual({ type: 'string' });
      expect(doc.paths['/complete'].post.responses['503'].content['application/json'].schema.properties.error).toEqual({
        type: 'string',
        const: 'All providers unavailable',
      });
      expect(doc.paths['/stream/{id}'].get.security).toContainEqual({ apiKeyQuery: [] });
      // Conveyor's main routes too, from the same zod schemas their answers are checked against here.
      expect(doc.paths['/v1/jobs/{jobId}'].get.responses['200'].content['application/json'].schema.required).toContain('job_id');
      expect(doc.paths['/v1/chat/completions'].post.responses['202'].content['application/json'].schema.properties.status).toEqual({
        type: 'string',
        const: 'queued',
      });
      const accepted = await test.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'shape me' }] });
      expect(JobAcceptedViewSchema.strict().safeParse(accepted.body).success).toBe(true);
      expect(JobViewSchema.strict().safeParse(await test.waitForJob(accepted.body.job_id)).success).toBe(true);
      expect(doc.paths['/health'].get.security).toEqual([]);
    });

    it('serves Swagger UI at /docs from the installed package, with no CDN', async () => {
      const page = await fetch(`${base}/docs`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).not.toMatch(/https?:\/\//);
      // The API's allow-nothing policy would block the page's scripts: /docs has its own, which allows this origin only.
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(html).not.toMatch(/<script>/);
      for (const asset of [...html.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map((m) => m[1]!)) {
        const res = await fetch(`${base}/${asset}`);
        expect(res.status).toBe(200);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
      expect((await fetch(`${base}/docs/package.json`)).status).toBe(404);
    });
  });
});

describe('the seeds’ APIs under COMPAT_PREFIX (embedded default: in-process broker, embedded PGlite)', () => {
  let app: ServiceProcess;
  let base: string;
  let test: Api;

  beforeAll(async () => {
    ({ app, base } = await startEmbedded({ COMPAT_PREFIX: '/compat' }));
    test = new Api(base, 'test-key-123');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("mounts every seed route under the prefix, and keeps Conveyor's own where they were", async () => {
    const queued = await test.post('/compat/chat/async', { message: 'Hello!', priority: 0 });
    expect(queued.body.stream_url).toBe(`/compat/stream/${queued.body.session_id}`);
    const sse = await openSse(`${base}${queued.body.stream_url}`, { 'x-api-key': 'test-key-123' });
    await sse.done;
    expect(JSON.parse(sse.events.at(-1)!.data)).toMatchObject({ type: 'complete' });
    expect((await test.post('/compat/generate', { prompt: 'x' })).status).toBe(202);
    expect((await test.get('/compat/stats')).status).toBe(200);
    // Seed 002's analytics move under the prefix; Conveyor's own aggregates (the console's) stay where they were.
    const seedAnalytics = await test.get('/compat/v1/analytics');
    expect(seedAnalytics.status).toBe(200);
    expect(seedAnalytics.body).toHaveProperty('total_requests');
    expect((await test.get('/v1/analytics')).status).toBe(404);
    expect((await test.get('/v1/analytics/series')).body.object).toBe('analytics');
    expect((await test.post('/compat/embeddings', { texts: ['x'] })).status).toBe(200);
    expect((await test.post('/embeddings', { texts: ['x'] })).status).toBe(404);
    expect((await test.post('/v1/embeddings', { input: 'x' })).status).toBe(200);
    expect((await test.post('/generate', { prompt: 'x' })).status).toBe(404);
    expect((await test.post('/chat/async', { message: 'x' })).status).toBe(404);
    expect((await test.get('/health')).status).toBe(200);
    expect((await test.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] })).status).toBe(202);
  });

  it('documents the routes where they are mounted', async () => {
    const doc: any = await (await fetch(`${base}/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/compat/generate', '/compat/stream/{id}', '/compat/health/full', '/v1/jobs']));
    expect(doc.paths['/generate']).toBeUndefined();
    const missing = mappedRoutes(app.logs).filter(({ path, method }) => !doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method]);
    expect(missing).toEqual([]);
  });
});
