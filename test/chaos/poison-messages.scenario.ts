import { CLUSTER_KEYS } from '../support/cluster.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { crashWhileRunning } from './crash-loop.util';
import { explainDeadLetters, poisonSubjects } from './dead-letter-audit.util';
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
 * must end in `conveyor.dead` (the crash-looper once it has started JOB_MAX_DELIVERIES times, its job `failed`), while the
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
    const subjects = [
      ...poisonSubjects(poison),
      {
        label: `crash-looping job ${crashJobId}`,
        matches: (d: { type?: string; body: string }) => d.type === 'job.requested' && d.body.includes(crashJobId),
        deadFrom: 'conveyor.jobs.',
      },
    ];
    // The jobs first: once every ordinary job is terminal, nothing more should die but what is on its way.
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const dead = await drainDeadLetters(chaos.cluster.vhostBrokerUrl, subjects.length, 30_000);
    const crashCalls = ((await (await fetch(`${chaos.upstream.url}/stats`)).json()) as { by_marker: Record<string, number> }).by_marker[crashMarker] ?? 0;
    const deadAudit = explainDeadLetters(dead, subjects, crash.kills);
    const crashDead = deadAudit.explained.find((e) => e.subject === subjects.at(-1)!.label);
    const details = [
      ...deadAudit.missing.map((label) => `not dead-lettered: ${label}`),
      ...deadAudit.unexplained.map(
        (d) => `unexplained dead letter: ${d.messageId ?? d.type} from ${d.sourceQueue ?? '?'} (delivery ${d.deadOnDelivery ?? '-'}): ${d.reason}`,
      ),
      ...deadAudit.explained.map((e) => `dead: ${e.subject} — ${e.why}`),
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
        dead_letters_expected: subjects.length,
        dead_letters_after_worker_kills: deadAudit.afterKills,
        dead_letters_unexplained: deadAudit.unexplained.length,
        poison_not_dead_lettered: deadAudit.missing.length,
        crash_job_status: crash.finalStatus,
        crash_job_error: crash.errorCode,
        crash_job_deliveries: crash.kills,
        crash_job_provider_calls: crashCalls,
        max_deliveries: opts.maxDeliveries,
      },
      [
        check('every poison message dead-lettered', deadAudit.missing.length === 0, `${subjects.length - deadAudit.missing.length} of ${subjects.length}`),
        check('every dead letter explained', deadAudit.unexplained.length === 0, `${deadAudit.unexplained.length} unexplained`),
        check(
          'dead letters = poison sent + crash-looping job + copies worker kills explain',
          dead.length === subjects.length + deadAudit.afterKills,
          `${dead.length} = ${subjects.length} + ${deadAudit.afterKills}`,
        ),
        check('crash-looping job dead-lettered', crashDead !== undefined, crashDead?.why ?? 'not in conveyor.dead'),
        check(
          `crash-looping job started exactly ${opts.maxDeliveries} times (each killed its worker), then dead-lettered`,
          // A start killed before its request left the worker never reaches the provider: calls only bound it.
          crash.kills === opts.maxDeliveries && crashCalls >= 1 && crashCalls <= opts.maxDeliveries,
          `${crash.kills} worker kills, ${crashCalls} provider calls`,
        ),
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
