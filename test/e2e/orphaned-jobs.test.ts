import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Cluster, CLUSTER_KEYS } from '../support/cluster.util';
import { openDataSource } from '../support/database.util';
import { Api } from '../support/http.util';
import { TcpProxy } from '../support/tcp-proxy.util';

interface JobRow {
  id: string;
  status: string;
  starts: number;
  attempts: number;
  enqueued_at: Date | null;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern, 'g')) ?? []).length;

/**
 * Rows whose confirm never came: a submit whose confirm is lost is accepted (its message may be queued) and runs
 * once. A job row committed by a gateway that died before the broker's confirm is re-published by the sweep of another gateway replica and
 * runs once; a copy of a job whose first message did exist (its confirm was not recorded) is told apart by the
 * worker and not run. Real processes on the real RabbitMQ and PostgreSQL of
 * this machine, in a vhost and database of their own.
 */
describe('orphaned jobs', () => {
  let cluster: Cluster;
  let db: DataSource;
  let api: Api;
  const proxies: TcpProxy[] = [];
  /** Another gateway replica, whose broker connection goes through a proxy the test controls (long heartbeats: only the test ends it). */
  const gatewayBehindProxy = async (env: Record<string, string>) => {
    const direct = new URL(cluster.env.BROKER_URL!);
    const proxy = await TcpProxy.start({ host: direct.hostname, port: Number(direct.port || 5672) });
    proxies.push(proxy);
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const url = await cluster.addGateway({ BROKER_URL: viaProxy.toString(), BROKER_HEARTBEAT_S: '120', JOB_ORPHAN_AFTER_MS: '120000', ...env });
    return { proxy, url, process: cluster.running('gateway').at(-1)! };
  };
  const rows = (tag: string) => db.query<JobRow[]>(`SELECT id, status, starts, attempts, enqueued_at FROM jobs WHERE metadata->>'tag' = $1 ORDER BY id`, [tag]);

  beforeAll(async () => {
    cluster = await Cluster.start({
      name: `orphans_${randomBytes(4).toString('hex')}`,
      inference: 0,
      streaming: false,
      notification: false,
      env: {
        LOG_LEVEL: 'log',
        JOB_ORPHAN_AFTER_MS: '3000',
        JOB_ORPHAN_SWEEP_MS: '500',
        BROKER_PUBLISH_TIMEOUT_MS: '2000',
        SIMULATED_TTFT_MS: '0',
        SIMULATED_TOKENS_PER_SECOND: '0',
        SIMULATED_MIN_TOKENS: '4',
        SIMULATED_MAX_TOKENS: '8',
      },
    });
    db = await openDataSource(cluster.directDatabaseUrl, 2);
    api = new Api(cluster.gatewayUrl, CLUSTER_KEYS.alice);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.cut()));
    await db?.destroy();
    await cluster?.destroy();
  });

  // First, while no worker runs: the job's message waits in the queue while its confirm is lost.
  it('a submit whose confirm is lost (its message queued all the same) is accepted, sent again by the sweep, and runs once', async () => {
    const tag = 'confirm-lost';
    const victim = await gatewayBehindProxy({ BROKER_PUBLISH_TIMEOUT_MS: '1500' });
    victim.proxy.muteReplies();
    const res = await new Api(victim.url, CLUSTER_KEYS.alice).post('/v1/chat/completions', {
      messages: [{ role: 'user', content: 'in doubt' }],
      metadata: { tag },
    });
    // In doubt: the message may be queued, so the job is accepted and its row left unmarked for the sweep.
    expect(res.status).toBe(202);
    expect(victim.process.logs).toMatch(new RegExp(`job ${res.body.job_id}: its publish is in doubt`));
    expect(await rows(tag)).toEqual([expect.objectContaining({ id: res.body.job_id, status: 'queued', enqueued_at: null })]);
    await victim.process.kill();

    // The other replica's sweep sends a copy once the job is older than JOB_ORPHAN_AFTER_MS, and records it.
    await eventually(
      () => rows(tag),
      (r) => r[0]?.enqueued_at !== null,
      15_000,
      're-published',
    );
    // A worker that connects now takes the first message and runs it; the copy it is handed next is not run.
    const worker = await cluster.addInference();
    expect((await api.waitForJob(res.body.job_id, ['completed', 'failed'], 30_000)).status).toBe('completed');
    await eventually(
      async () => count(worker.logs, new RegExp(`job ${res.body.job_id} .*its first message existed after all; not running the re-published copy`)),
      (n) => n === 1,
      15_000,
      'copy skipped',
    );
    const [after] = await rows(tag);
    expect(after).toMatchObject({ status: 'completed', attempts: 1 });
    expect(after!.starts).toBeLessThanOrEqual(1);
    await worker.kill();
  });

  it('a job whose first message existed (its confirm unrecorded) is sent again but runs once', async () => {
    const tag = 'confirm-unrecorded';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: `held ${i}` }], metadata: { tag } });
      expect(res.status).toBe(202);
      ids.push(res.body.job_id);
    }
    // No worker yet: the messages wait in the queue. The confirms are recorded; forget them, as a gateway that
    // died right after its confirm would have.
    await eventually(
      () => rows(tag),
      (r) => r.length === 5 && r.every((j) => j.enqueued_at !== null),
      10_000,
      'confirms recorded',
    );
    await db.query(`UPDATE jobs SET enqueued_at = NULL WHERE metadata->>'tag' = $1`, [tag]);
    // The sweep sends a second message for each and records it.
    await eventually(
      () => rows(tag),
      (r) => r.every((j) => j.enqueued_at !== null),
      15_000,
      're-published',
    );
    const gateway = cluster.running('gateway')[0]!;
    expect(ids.map((id) => count(gateway.logs, new RegExp(`job ${id}: re-published \\(queued since`)))).toEqual([1, 1, 1, 1, 1]);

    const worker = await cluster.addInference();
    for (const id of ids) expect((await api.waitForJob(id, ['completed', 'failed'], 30_000)).status).toBe('completed');
    // Each job's second message is acked unrun: one start each.
    await eventually(
      async () => count(worker.logs, /its first message existed after all; not running the re-published copy/),
      (n) => n === 5,
      15_000,
      'copies skipped',
    );
    // Ended on the first attempt, started at most once (a `job.started` is transient: one that arrives after the end
    // is not counted, so 0 is possible too).
    const ended = await rows(tag);
    expect(ended.map((j) => [j.status, j.attempts])).toEqual(ids.map(() => ['completed', 1]));
    for (const j of ended) expect(j.starts).toBeLessThanOrEqual(1);
  });

  it('a gateway killed between its committed row and the broker confirm: another replica re-publishes the job, which runs once', async () => {
    const tag = 'gateway-killed';
    // The victim waits long for its confirm, so that only the kill ends its submit.
    const { proxy, url: victimUrl, process: victim } = await gatewayBehindProxy({ BROKER_PUBLISH_TIMEOUT_MS: '60000' });
    proxy.stall();
    const submit = new Api(victimUrl, CLUSTER_KEYS.alice)
      .post('/v1/chat/completions', { messages: [{ role: 'user', content: 'orphan' }], metadata: { tag } })
      .then(
        (r) => r.status,
        () => 'no answer',
      );
    // The row is committed; the publish waits for a confirm that cannot come. Kill the gateway there.
    const [row] = await eventually(
      () => rows(tag),
      (r) => r.length === 1,
      10_000,
      'row committed',
    );
    expect(row).toMatchObject({ status: 'queued', enqueued_at: null });
    await victim.kill();
    expect(await submit).toBe('no answer');

    // The other replica's sweep finds it once it is older than JOB_ORPHAN_AFTER_MS and sends it; it runs once.
    const job = await api.waitForJob(row!.id, ['completed', 'failed'], 30_000);
    expect(job.status).toBe('completed');
    expect(count(cluster.running('gateway')[0]!.logs, new RegExp(`job ${row!.id}: re-published`))).toBe(1);
    const [after] = await rows(tag);
    expect(after).toMatchObject({ status: 'completed', attempts: 1 });
    expect(after!.starts).toBeLessThanOrEqual(1);
    expect(after!.enqueued_at).not.toBeNull();
  });
});
