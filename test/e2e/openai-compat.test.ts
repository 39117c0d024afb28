import OpenAI, { APIUserAbortError, AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { openSse, reassemble } from '../support/sse-client.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

/** This file's own vhost, fresh for the run: nothing another run or file left behind is consumed here. */
const VHOST = runVhostName('e2e_openai');
let brokerUrl = '';
const KEY = 'tok-e2e-openai';
const MODEL = 'simulated';

/**
 * The official `openai` SDK pointed at the gateway's `/openai/v1`, over the real RabbitMQ and PostgreSQL: every
 * answer goes through the queue, and what the SDK reads equals the job's stored result.
 */
describe('OpenAI-compatible surface (/openai/v1) with the openai SDK (separate processes over RabbitMQ and PostgreSQL)', () => {
  const started: ServiceProcess[] = [];
  let base: string;
  let api: Api;
  let client: OpenAI;

  beforeAll(async () => {
    brokerUrl = await recreateVhost(VHOST);
    const port = await freePort();
    const env = {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      HOST: '127.0.0.1',
      PORT: String(port),
      API_KEYS: `${KEY}:tenant-e2e-openai`,
    };
    const start = async (app: 'gateway' | 'inference' | 'persistence', extra: Record<string, string> = {}) => {
      const service = ServiceProcess.start(app, { ...env, ...extra });
      started.push(service);
      await service.waitForLog(/listening on|running \d+ job|consuming/);
    };
    await start('persistence');
    await start('gateway');
    await start('inference', {
      WORKER_CONCURRENCY: '4',
      SIMULATED_TTFT_MS: '100',
      SIMULATED_TOKENS_PER_SECOND: '200',
      SIMULATED_MIN_TOKENS: '20',
      SIMULATED_MAX_TOKENS: '30',
    });
    base = `http://127.0.0.1:${port}`;
    api = new Api(base, KEY);
    client = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await deleteVhost(VHOST);
  });

  const jobIdOf = (completionId: string): string => completionId.replace(/^chatcmpl-/, '');
  const storedResult = async (jobId: string) => (await api.waitForJob(jobId)).result;
  const storedJob = (jobId: string) => api.waitForJob(jobId);

  it('create without streaming waits for the job and returns its chat.completion', async () => {
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'answer me whole' }] });
    expect(completion.object).toBe('chat.completion');
    const stored = await storedResult(jobIdOf(completion.id));
    expect(completion.id).toBe(stored.id);
    expect(completion.choices[0]!.message.content).toBe(stored.choices[0].message.content);
    expect(completion.choices[0]!.finish_reason).toBe(stored.choices[0].finish_reason);
    expect(completion.usage).toEqual(stored.usage);
  });

  it('create with stream: true yields chunks whose content equals the stored result, then finish_reason and usage', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const stored = await storedResult(jobIdOf(chunks[0]!.id));
    expect(text).toBe(stored.choices[0].message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe(stored.choices[0].finish_reason);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual(stored.usage);
  });

  it('stream: true on /v1/chat/completions answers in the same chunk format', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'native stream' }], stream: true, priority: 'high' }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = (await res.text())
      .split('\n\n')
      .filter((f) => f.startsWith('data: '))
      .map((f) => f.slice(6));
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    const job = await storedJob(jobIdOf(chunks[0].id));
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(job.result.choices[0].message.content);
    expect(job.priority).toBe('high');
  });

  it('takes the priority from X-Priority, and a client that gives up waiting leaves its job to finish', async () => {
    const gone = new AbortController();
    const pending = client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'left behind' }] },
      { headers: { 'X-Priority': 'low' }, signal: gone.signal },
    );
    setTimeout(() => gone.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    const newest = (await api.get('/v1/jobs?limit=1')).body.data[0];
    expect(newest.priority).toBe('low');
    expect((await storedJob(newest.job_id)).status).toBe('completed');
  });

  it("models.list returns the tenant's models", async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain(MODEL);
  });

  it("an unknown model is the SDK's NotFoundError, n > 1 its BadRequestError, and nothing is queued for either", async () => {
    const before = (await api.get('/v1/jobs?limit=100')).body.data.length;
    await expect(client.chat.completions.create({ model: 'gpt-9-ultra', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], n: 2, stream: true })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect((await api.get('/v1/jobs?limit=100')).body.data.length).toBe(before);
  });

  it("a bad key is the SDK's AuthenticationError", async () => {
    const bad = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: 'tok-nobody', maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(bad.models.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("serves GET /v1/jobs/{id}/stream on the gateway's own port (one base URL)", async () => {
    const res = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'one host' }] });
    const stream = await openSse(`${base}/v1/jobs/${res.body.job_id}/stream?api_key=${KEY}`);
    await stream.done;
    expect(stream.status).toBe(200);
    expect(reassemble(stream.events)).toBe((await storedResult(res.body.job_id)).choices[0].message.content);
    expect(stream.events.at(-1)!.event).toBe('completed');
  });
});
