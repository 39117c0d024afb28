import { CLUSTER_KEYS } from '../support/cluster.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { crashWhileRunning } from './crash-loop.util';
import { drainDeadLetters, poisonMessages, publishPoison } from './dead-letters.util';
import { Ledger } from './ledger.util';
import { runLoad } from './load-driver.util';

export interface PoisonOptions extends CommonOptions {
  /** Ordinary jobs submitted alongside the poison. */
  jobs: number;
  /** JOB_MAX_DELIVERIES for the cluster: the crash-looping job must die after this many deliveries. */
  maxDeliveries: number;
  drainTimeoutMs: number;
}

/**
 * 4. Poison: malformed, invalid, unknown-type and never-accepted job messages published straight to a band
 * queue, an invalid terminal event on the event exchange, and a job that crashes every worker that runs it. Each
 * must end in `conveyor.dead` (the crash-looper after exactly its delivery limit, its job `failed`), while the
 * ordinary jobs submitted meanwhile all complete.
 */
export async function poisonMessagesScenario(opts: PoisonOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_poison_${opts.runId ?? defaultRunId()}`,
    inference: 2,
    paces: { fast: 'ttft=20,tps=200,tokens=16', hang: 'ttft=8000,tokens=4' },
    env: { JOB_MAX_DELIVERIES: String(opts.maxDeliveries) },
    inferenceEnv: { WORKER_CONCURRENCY: '8' },
    streaming: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('poison');
  try {
    const crashMarker = `${ledger.nextMarker()}-crash`;
    const crashRes = await fetch(`${chaos.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLUSTER_KEYS.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hang', messages: [{ role: 'user', content: crashMarker }] }),
    });
    const crashJobId = ((await crashRes.json()) as { job_id: string }).job_id;
    const poison = poisonMessages();
    await publishPoison(chaos.cluster.vhostBrokerUrl, poison);
    progress(`published ${poison.length} poison messages and a crash-looping job; submitting ${opts.jobs} ordinary jobs`);
    const [crash] = await Promise.all([
      crashWhileRunning(chaos.cluster, db, crashJobId, opts.drainTimeoutMs),
      runLoad(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'fast', concurrency: 8, acceptedTarget: opts.jobs }),
    ]);
    progress(`crash-looping job ${crash.finalStatus} (${crash.errorCode}) after ${crash.kills} worker kills`);
    const expected = poison.reduce((n, m) => n + m.copies, 0) + 1;
    const dead = await drainDeadLetters(chaos.cluster.vhostBrokerUrl, expected, 30_000);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const crashCalls = ((await (await fetch(`${chaos.upstream.url}/stats`)).json()) as { by_marker: Record<string, number> }).by_marker[crashMarker] ?? 0;
    const missing = poison.filter((m) => dead.filter((d) => d.messageId === m.label).length < m.copies);
    const crashDead = dead.find((d) => d.type === 'job.requested' && d.body.includes(crashJobId));
    const details = [
      ...missing.map((m) => `not dead-lettered: ${m.label}`),
      ...dead.map((d) => `dead: ${d.messageId ?? d.type} — ${d.reason}${d.deliveryCount === null ? '' : ` (delivery count ${d.deliveryCount})`}`),
      ...audit.details,
    ];
    return resultOf(
      'poison-messages',
      `Poison messages (${poison.length} published + 1 crash-looping job) among ${opts.jobs} ordinary jobs`,
      startedAt,
      {
        ...auditFigures(audit),
        poison_published: poison.length,
        dead_letters: dead.length,
        dead_letters_expected: expected,
        poison_not_dead_lettered: missing.length,
        crash_job_status: crash.finalStatus,
        crash_job_error: crash.errorCode,
        crash_job_deliveries: crash.kills,
        crash_job_provider_calls: crashCalls,
        max_deliveries: opts.maxDeliveries,
      },
      [
        check('every poison message dead-lettered', missing.length === 0, `${poison.length - missing.length} of ${poison.length}`),
        check('crash-looping job dead-lettered by the broker', crashDead !== undefined, crashDead?.reason ?? 'not in conveyor.dead'),
        check(`crash-looping job delivered at most ${opts.maxDeliveries} times`, crash.kills <= opts.maxDeliveries && crashCalls <= opts.maxDeliveries, `${crash.kills} deliveries, ${crashCalls} provider calls`),
        check('crash-looping job ends failed', crash.finalStatus === 'failed', `${crash.finalStatus} (${crash.errorCode})`),
        check('ordinary jobs all completed', audit.completed === opts.jobs, `${audit.completed} of ${opts.jobs}`),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
      ],
      details,
    );
  } finally {
    await db.end();
    await chaos.close();
  }
}
