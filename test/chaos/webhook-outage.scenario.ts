import { CLUSTER_KEYS } from '../support/cluster.util';
import { WebhookReceiver } from '../support/webhook-receiver.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { runLoad } from './load-driver.util';

export interface WebhookOutageOptions extends CommonOptions {
  jobs: number;
  downMs: number;
  drainTimeoutMs: number;
}

/**
 * 7. The webhook receiver is down while jobs finish, then comes back on the same address: every (job, event)
 * must arrive after it returns, exactly once (the receiver counts what crossed the wire; more than one 2xx'd
 * request for one (job, event) is a duplicate), signed with its endpoint's secret (verified with `standardwebhooks`),
 * and every delivery row must end `succeeded`.
 */
export async function webhookOutageScenario(opts: WebhookOutageOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_hook_${opts.runId ?? defaultRunId()}`,
    inference: 1,
    paces: { fast: 'ttft=20,tps=200,tokens=16' },
    env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE_MS: Array(40).fill('1000').join(','), WEBHOOK_TIMEOUT_MS: '2000' },
    inferenceEnv: { WORKER_CONCURRENCY: '16' },
    streaming: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('hook');
  let receiver = await WebhookReceiver.start();
  const port = Number(new URL(receiver.url).port);
  /** Each tenant's endpoint (a path of its own on the receiver) and the secret it signs with. */
  const endpoints: Array<{ url: string; secret: string }> = [];
  try {
    for (const [name, key] of Object.entries(CLUSTER_KEYS)) {
      const url = receiver.urlFor(name);
      const res = await fetch(`${chaos.gatewayUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url, event_types: ['job.completed', 'job.failed', 'job.cancelled'] }),
      });
      if (res.status !== 201) throw new Error(`registering the webhook answered ${res.status}: ${await res.text()}`);
      endpoints.push({ url, secret: ((await res.json()) as { secret: string }).secret });
    }
    await receiver.stop();
    const downAt = Date.now();
    progress(`receiver down; submitting ${opts.jobs} jobs`);
    await runLoad(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'fast', concurrency: 8, acceptedTarget: opts.jobs });
    const auditBefore = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, drainTimeoutMs: opts.drainTimeoutMs });
    // The receiver stays down for downMs, and on a busy machine longer, until deliveries were tried and failed
    // (bounded by the drain timeout): the jobs end before the fan-out has tried their webhooks.
    const attempted = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE attempts > 0`)).rows[0]!.n);
    const downUntil = downAt + opts.downMs;
    const giveUpAt = Date.now() + opts.drainTimeoutMs;
    let attemptedWhileDown = await attempted();
    while ((Date.now() < downUntil || attemptedWhileDown === 0) && Date.now() < giveUpAt) {
      await new Promise((r) => setTimeout(r, Date.now() < downUntil ? Math.min(200, downUntil - Date.now()) : 200));
      attemptedWhileDown = await attempted();
    }
    receiver = await WebhookReceiver.start([], port);
    for (const e of endpoints) receiver.trust(e.secret, e.url);
    const backAt = Date.now();
    progress(`receiver back after ${backAt - downAt} ms; ${attemptedWhileDown} deliveries had been attempted while it was down`);
    // Every delivery row settled (succeeded or dead) is the real end; then count what crossed the wire.
    const deadline = Date.now() + opts.drainTimeoutMs;
    let pending = Number.POSITIVE_INFINITY;
    while (pending > 0 && Date.now() < deadline) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'`);
      pending = Number(rows[0]!.n);
      if (pending > 0) await new Promise((r) => setTimeout(r, 200));
    }
    const { rows: byStatus } = await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status`);
    const statusCount = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
    const perEvent = new Map<string, number>();
    for (const r of receiver.received) {
      const body = JSON.parse(r.body) as { type: string; data: { job_id: string } };
      const k = `${body.data.job_id} ${body.type}`;
      perEvent.set(k, (perEvent.get(k) ?? 0) + 1);
    }
    const expectedKeys = ledger.accepted.map((e) => `${e.jobId} job.completed`);
    const missing = expectedKeys.filter((k) => !perEvent.has(k));
    const duplicates = [...perEvent.entries()].filter(([, n]) => n > 1);
    const unverified = receiver.unverified();
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    return resultOf(
      'webhook-outage',
      `Webhook receiver down for ${Math.round(opts.downMs / 1000)} s while ${opts.jobs} jobs finish`,
      startedAt,
      {
        ...auditFigures(audit),
        jobs_terminal_while_down: auditBefore.terminal,
        deliveries_attempted_while_down: attemptedWhileDown,
        deliveries_expected: expectedKeys.length,
        deliveries_received: receiver.received.length,
        deliveries_missing: missing.length,
        deliveries_duplicated: duplicates.length,
        deliveries_signature_unverified: unverified.length,
        delivery_rows_succeeded: statusCount('succeeded'),
        delivery_rows_dead: statusCount('dead'),
        delivery_rows_pending: statusCount('pending'),
      },
      [
        check(
          'every (job, event) delivered after the receiver came back',
          missing.length === 0,
          `${expectedKeys.length - missing.length} of ${expectedKeys.length}`,
        ),
        check('exactly once per (job, event)', duplicates.length === 0, `${duplicates.length} duplicated`),
        check(
          "every delivery's signature verified (standardwebhooks, its endpoint's secret)",
          unverified.length === 0 && receiver.received.length > 0,
          `${receiver.received.length - unverified.length} of ${receiver.received.length}`,
        ),
        check('the receiver was really down (deliveries failed first)', attemptedWhileDown > 0, attemptedWhileDown),
        check(
          'every delivery row succeeded',
          statusCount('succeeded') === expectedKeys.length,
          `${statusCount('succeeded')} succeeded, ${statusCount('dead')} dead, ${statusCount('pending')} pending`,
        ),
        check(
          'every accepted job completed',
          audit.completed === audit.accepted && audit.accepted === opts.jobs,
          `${audit.completed} of ${audit.accepted} accepted, ${opts.jobs} submitted`,
        ),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
      ],
      [
        ...unverified.slice(0, 3).map((u) => `signature not verified: ${u.webhookId ?? 'no webhook-id'} to ${u.path}: ${u.why}`),
        ...missing.slice(0, 3).map((k) => `missing: ${k}`),
        ...duplicates.slice(0, 3).map(([k, n]) => `duplicated: ${k} × ${n}`),
        ...audit.details,
      ],
    );
  } finally {
    await receiver.stop().catch(() => undefined);
    await db.end();
    await chaos.close();
  }
}
