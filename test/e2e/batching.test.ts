import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CLUSTER_KEYS, Cluster } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { answerTo, combinedOpenAiReply, combinedPrompts } from '../support/mock-llm/combined-reply.util';
import { MockUpstream } from '../support/mock-llm/mock-upstream.server';
import { openSse, reassemble } from '../support/sse-client.util';

const deployment = (id: string, upstream: MockUpstream) => ({
  name: id,
  deployments: [{ id, provider: 'openai', upstream_model: 'mock-model', base_url: `${upstream.url}/v1`, api_key_env: 'MOCK_UPSTREAM_KEY' }],
});

/**
 * Batching in the inference workers (docs/batching.md), as separate processes over the real RabbitMQ and
 * PostgreSQL: one worker, BATCHING=all, the normal band gathering up to 4 jobs for 800 ms and the low band for 3 s.
 * Each scenario has an upstream of its own (an OpenAI-compatible mock that follows the combined instruction, or
 * is made not to), so what each upstream received is exactly that scenario's calls.
 */
describe('batching: combined and concurrent batches, one tenant per call, split fallback, cancel, a worker killed holding a batch (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let alice: Api;
  let bob: Api;
  let db: Client;
  const mocks: Record<string, MockUpstream> = {};

  beforeAll(async () => {
    mocks.joint = await MockUpstream.start(combinedOpenAiReply());
    mocks.tenants = await MockUpstream.start(combinedOpenAiReply());
    mocks.parallel = await MockUpstream.start(combinedOpenAiReply());
    mocks.gappy = await MockUpstream.start(combinedOpenAiReply({ omit: [1] }));
    mocks.prose = await MockUpstream.start(combinedOpenAiReply({ prose: true }));
    mocks.cancel = await MockUpstream.start(combinedOpenAiReply());
    mocks.streamed = await MockUpstream.start(combinedOpenAiReply());
    mocks.expiry = await MockUpstream.start(combinedOpenAiReply());
    mocks.slow = await MockUpstream.start(combinedOpenAiReply({ delayMs: 2_000 }));
    // The first call never answers (the worker is killed during it); later calls answer.
    mocks.stalling = await MockUpstream.start((res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }), combinedOpenAiReply());
    cluster = await Cluster.start({
      name: `batch_${randomBytes(4).toString('hex')}`,
      inference: 1,
      streaming: false,
      notification: false,
      env: {
        BATCHING: 'all',
        BATCH_NORMAL_WINDOW_MS: '800',
        BATCH_NORMAL_MAX_SIZE: '4',
        BATCH_LOW_WINDOW_MS: '3000',
        BATCH_MODEL_MODES: 'parallel=concurrent',
        MOCK_UPSTREAM_KEY: 'sk-mock',
        ROUTING_MAX_RETRIES: '0',
        ROUTING_CALL_TIMEOUT_MS: '60000',
      },
      inferenceEnv: { WORKER_CONCURRENCY: '4' },
      catalog: {
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          ...Object.entries(mocks).map(([name, mock]) => deployment(name, mock)),
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
    await Promise.all(Object.values(mocks).map((m) => m.close()));
  });

  const submit = async (api: Api, model: string, prompt: string, priority = 'normal'): Promise<string> => {
    const res = await api.post('/v1/chat/completions', { model, priority, messages: [{ role: 'user', content: prompt }] });
    expect(res.status).toBe(202);
    return res.body.job_id as string;
  };
  const usageRows = async (ids: string[]) =>
    (
      await db.query<{ job_id: string; prompt_tokens: number; completion_tokens: number }>(
        'SELECT job_id, prompt_tokens, completion_tokens FROM usage_records WHERE job_id = ANY($1::uuid[])',
        [ids],
      )
    ).rows;

  it('combined: four jobs of one tenant get one upstream call and each its own answer, split by index, with the usage apportioned', async () => {
    const prompts = ['one', 'two', 'three', 'four'].map((p) => `joint ${p}`);
    const ids = await Promise.all(prompts.map((p) => submit(alice, 'joint', p)));
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    expect(mocks.joint!.requests).toHaveLength(1);
    expect(new Set(combinedPrompts(mocks.joint!.request))).toEqual(new Set(prompts));
    const batchId = jobs[0].batch_id;
    expect(batchId).toEqual(expect.any(String));
    jobs.forEach((job, i) => {
      expect(job).toMatchObject({ status: 'completed', batch_id: batchId, batch: { mode: 'combined', size: 4, fallback: false } });
      expect(job.result.choices[0].message.content).toBe(answerTo(prompts[i]!));
    });
    expect(new Set(jobs.map((j) => j.batch.index))).toEqual(new Set([0, 1, 2, 3]));
    // The call reported 100 prompt and 40 completion tokens: the jobs' shares add up to exactly that.
    const rows = await usageRows(ids);
    expect(rows).toHaveLength(4);
    expect(rows.reduce((a, r) => a + r.prompt_tokens, 0)).toBe(100);
    expect(rows.reduce((a, r) => a + r.completion_tokens, 0)).toBe(40);
    expect(jobs.reduce((a, j) => a + j.result.usage.total_tokens, 0)).toBe(140);
  }, 60_000);

  it("a combined call only ever holds one tenant's jobs: two tenants submitting together get a call each", async () => {
    const ofAlice = ['a1', 'a2', 'a3'].map((p) => `alice ${p}`);
    const ofBob = ['b1', 'b2', 'b3'].map((p) => `bob ${p}`);
    const ids = await Promise.all([...ofAlice.map((p) => submit(alice, 'tenants', p)), ...ofBob.map((p) => submit(bob, 'tenants', p))]);
    const jobs = await Promise.all(ids.map((id, i) => (i < 3 ? alice : bob).waitForJob(id)));

    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    const calls = mocks.tenants!.requests.map(combinedPrompts);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => new Set(c))).toEqual(expect.arrayContaining([new Set(ofAlice), new Set(ofBob)]));
    expect(new Set(jobs.slice(0, 3).map((j) => j.batch_id)).size).toBe(1);
    expect(new Set(jobs.slice(3).map((j) => j.batch_id)).size).toBe(1);
    expect(jobs[0].batch_id).not.toBe(jobs[3].batch_id);
  }, 60_000);

  it('concurrent: a batch of three jobs makes three ordinary calls, started together, and shares its batch id', async () => {
    const prompts = ['p1', 'p2', 'p3'].map((p) => `parallel ${p}`);
    const ids = await Promise.all(prompts.map((p) => submit(alice, 'parallel', p)));
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    expect(mocks.parallel!.requests).toHaveLength(3);
    expect(mocks.parallel!.requests.map(combinedPrompts)).toEqual([null, null, null]);
    expect(new Set(jobs.map((j) => j.batch_id)).size).toBe(1);
    jobs.forEach((job, i) => {
      expect(job).toMatchObject({ status: 'completed', batch: { mode: 'concurrent', size: 3, fallback: false } });
      expect(job.result.choices[0].message.content).toBe(answerTo(prompts[i]!));
    });
  }, 60_000);

  it('a reply that leaves a job out: that job alone falls back to a call of its own, recorded on it, and pays its share of both calls', async () => {
    const prompts = ['g0', 'g1', 'g2'].map((p) => `gappy ${p}`);
    // One after another, so the batch index is the submission order.
    const ids: string[] = [];
    for (const p of prompts) ids.push(await submit(alice, 'gappy', p));
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    const calls = mocks.gappy!.requests.map(combinedPrompts);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual(prompts);
    expect(calls[1]).toBeNull();
    expect(jobs.map((j) => j.batch.fallback)).toEqual([false, true, false]);
    jobs.forEach((job, i) => expect(job.result.choices[0].message.content).toBe(answerTo(prompts[i]!)));
    // Each call reported 100 + 40 tokens: the combined call's split over three, plus the fallback call on job 1.
    const rows = await usageRows(ids);
    expect(rows.reduce((a, r) => a + r.prompt_tokens + r.completion_tokens, 0)).toBe(280);
  }, 60_000);

  it('a reply that is not the JSON asked for: every job of the batch falls back to a call of its own', async () => {
    const prompts = ['q0', 'q1'].map((p) => `prose ${p}`);
    const ids = await Promise.all(prompts.map((p) => submit(alice, 'prose', p)));
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    expect(mocks.prose!.requests.map((r) => combinedPrompts(r) !== null)).toEqual([true, false, false]);
    jobs.forEach((job, i) => {
      expect(job).toMatchObject({ status: 'completed', batch: { mode: 'combined', size: 2, fallback: true } });
      expect(job.result.choices[0].message.content).toBe(answerTo(prompts[i]!));
    });
  }, 60_000);

  it('a job cancelled while it waits in its batch window ends cancelled without running; the rest of the batch runs without it', async () => {
    const ids = await Promise.all(['c0', 'c1', 'c2'].map((p) => submit(alice, 'cancel', `cancel ${p}`, 'low')));
    await new Promise((r) => setTimeout(r, 500)); // in the worker's 3 s window by now
    const cancelled = await alice.post(`/v1/jobs/${ids[1]}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', timestamps: { started: null } });
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    expect(jobs.map((j) => j.status)).toEqual(['completed', 'cancelled', 'completed']);
    expect(jobs[1]).toMatchObject({ batch_id: null, result: null, attempts: 0 });
    expect(mocks.cancel!.requests).toHaveLength(1);
    // Submitted together, so they reach the window in either order.
    expect([...(combinedPrompts(mocks.cancel!.request) ?? [])].sort()).toEqual(['cancel c0', 'cancel c2']);
    expect(jobs[0].batch).toMatchObject({ size: 2 });
  }, 60_000);

  it("a stream subscriber of a combined job hears nothing until the reply is split, then the job's whole answer and the end", async () => {
    const prompts = ['x0', 'x1'].map((p) => `streamed ${p}`);
    const ids = await Promise.all(prompts.map((p) => submit(alice, 'streamed', p)));
    const stream = await openSse(`${cluster.gatewayUrl}/v1/jobs/${ids[0]}/stream`, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    await stream.done;
    await alice.waitForJob(ids[1]!);

    expect(mocks.streamed!.requests).toHaveLength(1);
    // Subscribed while the job waited in its window: `queued`, then the start, the answer in one piece, the end.
    expect(stream.events.map((e) => e.event).filter((name) => name !== 'queued')).toEqual(['started', 'delta', 'completed']);
    expect(reassemble(stream.events)).toBe(answerTo(prompts[0]!));
    // Chunks only while watched: the watched job's answer is kept as its one chunk; its unwatched batch mate's text
    // travels in its result alone, with no chunk published.
    const chunkCount = async (id: string) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_chunks WHERE job_id = $1', [id])).rows[0]!.n;
    for (let i = 0; i < 50 && (await chunkCount(ids[0]!)) === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await chunkCount(ids[0]!)).toBe(1);
    expect(await chunkCount(ids[1]!)).toBe(0);
    expect((await alice.waitForJob(ids[1]!)).result.choices[0].message.content).toBe(answerTo(prompts[1]!));
  }, 60_000);

  it('a job whose deadline passes while it waits in its window ends expired without a provider call; its batch runs without it', async () => {
    const late = await alice.post('/v1/chat/completions', {
      model: 'expiry',
      priority: 'low',
      expires_in: 1,
      messages: [{ role: 'user', content: 'expiry late' }],
    });
    expect(late.status).toBe(202);
    const onTime = await submit(alice, 'expiry', 'expiry on time', 'low');
    const [expired, completed] = await Promise.all([
      alice.waitForJob(late.body.job_id, ['expired', 'completed', 'failed', 'cancelled']),
      alice.waitForJob(onTime),
    ]);

    expect(expired).toMatchObject({ status: 'expired', attempts: 0, batch_id: null, timestamps: { started: null } });
    expect(completed).toMatchObject({ status: 'completed', batch: { size: 1 } });
    expect(mocks.expiry!.requests).toHaveLength(1);
    expect(combinedPrompts(mocks.expiry!.request)).toBeNull();
    expect(mocks.expiry!.request.body.messages).toEqual([{ role: 'user', content: 'expiry on time' }]);
  }, 60_000);

  it('a job cancelled during its combined call ends cancelled at once; the others get their answers; cancelling them all stops the call', async () => {
    const waitForCall = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (mocks.slow!.requests.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(mocks.slow!.requests).toHaveLength(n);
    };
    const ids = await Promise.all(['s0', 's1', 's2'].map((p) => submit(alice, 'slow', `slow ${p}`)));
    await waitForCall(1);
    // The rows say running once persistence has written the starts (then a cancel goes to the worker).
    const deadline = Date.now() + 10_000;
    const running = async () => (await db.query("SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'running'", [ids])).rows[0].n;
    while ((await running()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const cancelled = await alice.post(`/v1/jobs/${ids[0]}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', batch: { mode: 'combined', size: 3 } });
    expect(cancelled.body.partial_result.content).toBe('');
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));
    expect(jobs.map((j) => j.status)).toEqual(['cancelled', 'completed', 'completed']);
    expect(new Set(jobs.map((j) => j.batch_id)).size).toBe(1);

    const more = await Promise.all(['t0', 't1'].map((p) => submit(alice, 'slow', `slow ${p}`)));
    await waitForCall(2);
    // Whether each row still said queued or already running, the answer is the job cancelled.
    const answers = await Promise.all(more.map((id) => alice.post(`/v1/jobs/${id}/cancel`)));
    expect(answers.map((a) => a.body.status)).toEqual(['cancelled', 'cancelled']);
    await mocks.slow!.clientDisconnect();
    expect((await Promise.all(more.map((id) => alice.waitForJob(id)))).map((j) => j.status)).toEqual(['cancelled', 'cancelled']);
  }, 60_000);

  it('a worker killed during its combined call loses no job and answers none twice: another worker runs the batch again', async () => {
    const prompts = ['k0', 'k1', 'k2'].map((p) => `kill ${p}`);
    const ids = await Promise.all(prompts.map((p) => submit(alice, 'stalling', p)));
    const deadline = Date.now() + 20_000;
    while (mocks.stalling!.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(combinedPrompts(mocks.stalling!.request)).toHaveLength(3);
    const [victim] = cluster.running('inference');
    await victim!.kill();
    // Unacked while the call ran: the rows say running, and the messages go back to the queue with the dead channel.
    expect((await db.query("SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'running'", [ids])).rows[0].n).toBe(3);
    await cluster.addInference();
    const jobs = await Promise.all(ids.map((id) => alice.waitForJob(id)));

    jobs.forEach((job, i) => {
      expect(job).toMatchObject({ status: 'completed', attempts: 2, batch: { mode: 'combined', size: 3 } });
      expect(job.result.choices[0].message.content).toBe(answerTo(prompts[i]!));
    });
    expect(mocks.stalling!.requests.map((r) => combinedPrompts(r)?.length)).toEqual([3, 3]);
    expect(await usageRows(ids)).toHaveLength(3);
    // Nothing left behind: no job of the batch still queued or running, and nothing dead-lettered for it.
    expect((await db.query('SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND completed_at IS NOT NULL', [ids])).rows[0].n).toBe(3);
  }, 90_000);
});
