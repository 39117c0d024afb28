import { auditFigures, auditJobs, countTerminal, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { runLoad } from './load-driver.util';

export interface WorkerKillOptions extends CommonOptions {
  jobs: number;
  /** Inference replicas kept running (each killed one is replaced). */
  replicas: number;
  killEveryMs: number;
  /** Upper bound on the whole run before the audit counts what is missing as lost. */
  drainTimeoutMs: number;
}

/**
 * 1. SIGKILL a random inference worker every `killEveryMs` while N jobs are submitted and run, starting a
 * replacement for each: a killed worker's unacked job must be redelivered and finish on another, so N of N end
 * terminal, none is lost and none has its result or usage written twice.
 */
export async function workerKillScenario(opts: WorkerKillOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_kill_${opts.runId ?? defaultRunId()}`,
    inference: opts.replicas,
    paces: { paced: 'ttft=100,tps=50,tokens=25' },
    inferenceEnv: { WORKER_CONCURRENCY: '8' },
    notification: false,
    streaming: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('kill');
  let kills = 0;
  let replacements = 0;
  const details: string[] = [];
  try {
    const load = runLoad(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced', concurrency: 16, acceptedTarget: opts.jobs, stop: () => Date.now() - startedAt > opts.drainTimeoutMs });
    let loadDone = false;
    void load.finally(() => (loadDone = true));
    const starting: Promise<unknown>[] = [];
    const deadline = Date.now() + opts.drainTimeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, opts.killEveryMs));
      const terminal = await countTerminal(db, ledger.jobIds);
      progress(`${ledger.accepted.length} accepted, ${terminal} terminal, ${kills} workers killed, ${chaos.cluster.running('inference').length} running`);
      if ((loadDone && terminal >= ledger.accepted.length) || Date.now() > deadline) break;
      const running = chaos.cluster.running('inference');
      const victim = running[Math.floor(Math.random() * running.length)];
      if (!victim) continue;
      await victim.kill();
      kills++;
      starting.push(
        chaos.cluster.addInference().then(
          () => replacements++,
          (err: Error) => details.push(`replacement failed: ${err.message.slice(0, 200)}`),
        ),
      );
    }
    await load;
    await Promise.all(starting);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: 60_000, progress });
    return resultOf(
      'worker-kill',
      `SIGKILL a random inference worker every ${opts.killEveryMs / 1000} s during ${opts.jobs} jobs`,
      startedAt,
      { ...auditFigures(audit), jobs: opts.jobs, replicas: opts.replicas, kills, replacements, odd_responses: ledger.odd.length },
      [
        check('all jobs accepted', audit.accepted === opts.jobs, `${audit.accepted} of ${opts.jobs}`),
        check('N of N terminal', audit.terminal === opts.jobs, `${audit.terminal} of ${opts.jobs}`),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
        check('usage recorded for every completed job', audit.usageMissing === 0, `${audit.usageMissing} missing`),
        check('every completed job reached the provider', audit.completedWithoutCall === 0, `${audit.completedWithoutCall} without a call`),
        check('workers were killed', kills > 0, kills),
      ],
      [...audit.details, ...details, ...ledger.odd.slice(0, 3).map((o) => `odd response ${o.status}: ${o.detail}`)],
    );
  } finally {
    await db.end();
    await chaos.close();
  }
}
