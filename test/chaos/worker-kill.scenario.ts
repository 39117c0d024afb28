import { auditFigures, auditJobs, countTerminal, openDatabase, providerCallsOf } from './audit.util';
import type { ServiceProcess } from '../support/service-process.util';
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
 * completed, none is lost and none has its result or usage written twice. Each kill of a worker that was running
 * jobs (by the database, just before) must show as a redelivery: one of those jobs started again.
 */
export async function workerKillScenario(opts: WorkerKillOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_kill_${opts.runId ?? defaultRunId()}`,
    inference: opts.replicas,
    paces: { paced: 'ttft=100,tps=50,tokens=25' },
    inferenceEnv: { WORKER_CONCURRENCY: '8' },
    // Kills at random every 2 s, while each replacement spends seconds of CPU starting, can interrupt one innocent
    // job five times (the default crash-loop limit), which would then fail as a job that takes its worker down.
    // This scenario is about redelivery; the crash-loop limit is held to its value by the poison scenario.
    env: { JOB_MAX_DELIVERIES: '20' },
    notification: false,
    streaming: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('kill');
  let kills = 0;
  let replacements = 0;
  /** For each kill of a worker that was running jobs: the jobs the database had running on it just before, and when. */
  const busyKills: Array<{ ids: string[]; at: Date }> = [];
  const details: string[] = [];
  try {
    const load = runLoad(ledger, {
      gatewayUrl: chaos.gatewayUrl,
      model: 'paced',
      concurrency: 16,
      acceptedTarget: opts.jobs,
      stop: () => Date.now() - startedAt > opts.drainTimeoutMs,
    });
    let loadDone = false;
    void load.finally(() => (loadDone = true));
    const starting: Promise<unknown>[] = [];
    // Only workers that are up are killed: a replacement killed while it starts holds no job, so its kill tests nothing.
    const ready = new Set<ServiceProcess>(chaos.cluster.running('inference'));
    const deadline = Date.now() + opts.drainTimeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, opts.killEveryMs));
      const terminal = await countTerminal(db, ledger.jobIds);
      progress(`${ledger.accepted.length} accepted, ${terminal} terminal, ${kills} workers killed, ${chaos.cluster.running('inference').length} running`);
      if ((loadDone && terminal >= ledger.accepted.length) || Date.now() > deadline) break;
      const running = chaos.cluster.running('inference').filter((s) => ready.has(s));
      const victim = running[Math.floor(Math.random() * running.length)];
      if (!victim) continue;
      const { rows: runningJobs } = await db.query<{ id: string }>(`SELECT id FROM jobs WHERE status = 'running' AND worker_id = $1`, [
        `${chaos.cluster.spec.name}-${victim.name}`,
      ]);
      const at = new Date();
      await victim.kill();
      kills++;
      if (runningJobs.length > 0) busyKills.push({ ids: runningJobs.map((r) => r.id), at });
      starting.push(
        chaos.cluster.addInference().then(
          (replacement) => {
            ready.add(replacement);
            replacements++;
          },
          (err: Error) => details.push(`replacement failed: ${err.message.slice(0, 200)}`),
        ),
      );
    }
    await load;
    await Promise.all(starting);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: 60_000, progress });
    // A killed worker's running jobs go back to the queue and start again elsewhere (`starts` counts each start).
    // The row still says `running` for a moment after the worker's end (persistence writes it), so a job its worker
    // finished before the kill (its completed_at, the worker's own time, is earlier) had nothing to hand back.
    const { rows } = await db.query<{ id: string; status: string; starts: number; completed_at: Date | null }>(
      `SELECT id, status, starts, completed_at FROM jobs WHERE id = ANY($1::uuid[])`,
      [ledger.jobIds],
    );
    // For a job that did not complete: each of its provider calls and the kills of a worker it ran on, so a run
    // that kept hanging can be told from runs that were each cut short.
    for (const row of rows.filter((r) => r.status !== 'completed').slice(0, 3)) {
      const marker = ledger.accepted.find((e) => e.jobId === row.id)?.marker;
      const calls = marker ? await providerCallsOf(chaos.upstream.url, marker) : [];
      const first = calls.length > 0 ? Date.parse(calls[0]!.at) : startedAt;
      const since = (at: number) => `+${((at - first) / 1000).toFixed(1)} s`;
      const kills = busyKills.filter((k) => k.ids.includes(row.id)).map((k) => since(k.at.getTime()));
      const described = calls.map(
        (c) => `${since(Date.parse(c.at))} ${c.answered === null ? 'still open' : c.answered ? `answered in ${c.ms} ms` : `cut after ${c.ms} ms`}`,
      );
      details.push(
        `job ${row.id} (${row.status}, ${row.starts} starts): provider calls ${described.join(', ') || 'none'}; killed while running at ${kills.join(', ') || 'never'}`,
      );
    }
    const startedAgain = new Set(rows.filter((r) => r.starts > 1).map((r) => r.id));
    const finishedAt = new Map(rows.map((r) => [r.id, r.completed_at]));
    const interrupted = busyKills.map((k) => k.ids.filter((id) => !(finishedAt.get(id) && finishedAt.get(id)! < k.at))).filter((ids) => ids.length > 0);
    const redeliveredKills = interrupted.filter((ids) => ids.some((id) => startedAgain.has(id))).length;
    for (const ids of interrupted.filter((k) => !k.some((id) => startedAgain.has(id))).slice(0, 3))
      details.push(`none of the ${ids.length} jobs running on a killed worker started again (${ids.slice(0, 3).join(', ')})`);
    return resultOf(
      'worker-kill',
      `SIGKILL a random inference worker every ${opts.killEveryMs / 1000} s during ${opts.jobs} jobs`,
      startedAt,
      {
        ...auditFigures(audit),
        jobs: opts.jobs,
        replicas: opts.replicas,
        kills,
        kills_of_busy_workers: busyKills.length,
        kills_whose_jobs_had_all_finished: busyKills.length - interrupted.length,
        jobs_running_on_killed_workers: interrupted.reduce((n, ids) => n + ids.length, 0),
        jobs_started_again: startedAgain.size,
        replacements,
        odd_responses: ledger.odd.length,
      },
      [
        check('all jobs accepted', audit.accepted === opts.jobs, `${audit.accepted} of ${opts.jobs}`),
        check('N of N completed', audit.completed === opts.jobs, `${audit.completed} of ${opts.jobs} (${audit.failed} failed, ${audit.cancelled} cancelled)`),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
        check('usage recorded for every completed job', audit.usageMissing === 0, `${audit.usageMissing} missing`),
        check('every completed job reached the provider', audit.completedWithoutCall === 0, `${audit.completedWithoutCall} without a call`),
        check('every killed worker replaced', replacements === kills, `${replacements} of ${kills}`),
        check('workers were killed while running jobs', busyKills.length > 0, `${busyKills.length} of ${kills} kills`),
        check(
          'every such kill redelivered: a job it was running started again',
          interrupted.length > 0 && redeliveredKills === interrupted.length,
          `${redeliveredKills} of ${interrupted.length} kills; ${startedAgain.size} jobs started again`,
        ),
      ],
      [...audit.details, ...details, ...ledger.odd.slice(0, 3).map((o) => `odd response ${o.status}: ${o.detail}`)],
    );
  } finally {
    await db.end();
    await chaos.close();
  }
}
