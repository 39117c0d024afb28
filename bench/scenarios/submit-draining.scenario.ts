import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { fixedRate, type FixedRateRequest, type RateOutcome } from '../support/fixed-rate.util';
import { JobCounter } from '../support/job-count.util';
import { CpuPhase, describeCpu, type CpuSplit } from '../support/machine-cpu.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { stepUp, toSeries, type StepTarget } from '../support/rate-steps.util';
import { round } from '../support/stats.util';

const BODY = JSON.stringify(mockRequest('drain me'));
const RATES = [250, 500, 750, 1000, 1500, 2000, 3000, 4000];
const LIMITS = { p99Ms: 50, minAchievedShare: 0.9 };
const TARGET_RPS = 2_000;

const fmt = (o: RateOutcome) =>
  `offered ${o.offeredRps} achieved ${Math.round(o.achievedRps)} req/s, p50 ${round(o.p50Ms)} p99 ${round(o.p99Ms)} ms, ${o.errors} errors`;

/**
 * h. Async submit while a worker drains the same jobs: the 202 path when the broker, PostgreSQL and the CPUs are
 * also busy running and recording what was submitted a moment before (a zero-latency upstream, 32 tokens each),
 * beside the same deployment with no worker (jobs only queue), stepped up together, interleaved step by step.
 */
export const submitDrainingScenario: Scenario = {
  id: 'h-submit-draining',
  title: 'Async submit while one worker drains the same jobs, vs with no worker',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const stepSeconds = ctx.quick ? 3 : 8;
    let draining: Cluster | undefined;
    let idle: Cluster | undefined;
    let counter: JobCounter | undefined;
    try {
      ctx.progress.line('starting two deployments: one with an inference replica (128 slots), one with none');
      const common = { catalog: mockCatalog(ctx.upstreamUrl, 'tokens=32'), env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV } };
      const [d, i] = await Promise.allSettled([
        Cluster.start({ name: `bench_h_draining_${process.pid}`, inference: 1, inferenceEnv: { WORKER_CONCURRENCY: '128' }, ...common }),
        Cluster.start({ name: `bench_h_idle_${process.pid}`, inference: 0, ...common }),
      ]);
      draining = d.status === 'fulfilled' ? d.value : undefined;
      idle = i.status === 'fulfilled' ? i.value : undefined;
      for (const r of [d, i]) if (r.status === 'rejected') throw r.reason;
      counter = await JobCounter.open(draining!.directDatabaseUrl);
      const requestTo = (cluster: Cluster): FixedRateRequest => ({
        url: `${cluster.gatewayUrl}/v1/chat/completions`,
        headers: { authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: BODY,
      });
      const drainingRequest = requestTo(draining!);
      const idleRequest = requestTo(idle!);

      ctx.progress.line('warm-up: 3 s at 200 req/s each (discarded)');
      for (const r of [drainingRequest, idleRequest]) {
        const w = await fixedRate(r, 200, 3);
        if (w.errors > 0 || w.ok === 0) throw new Error(`warm-up against ${r.url} failed: ${fmt(w)}`);
      }

      /** Jobs the worker ended during each of its steps: it must really be draining while submits are timed. */
      const drainedPerStep: Array<{ rps: number; completedPerS: number; cpu: CpuSplit }> = [];
      const drainingStep = async (rps: number): Promise<RateOutcome> => {
        const before = (await counter!.terminal()).completed;
        const phase = await CpuPhase.start(() => draining!.stats());
        const t0 = performance.now();
        const outcome = await fixedRate(drainingRequest, rps, stepSeconds);
        const cpu = await phase.end(() => draining!.stats());
        const completed = (await counter!.terminal()).completed - before;
        drainedPerStep.push({ rps, completedPerS: round((completed / (performance.now() - t0)) * 1000), cpu });
        return outcome;
      };
      ctx.progress.line(`stepping ${RATES.join(', ')} req/s, ${stepSeconds} s a step, interleaved`);
      const targets: StepTarget[] = [
        { name: 'draining', atRate: drainingStep },
        { name: 'no worker', atRate: (rps) => fixedRate(idleRequest, rps, stepSeconds) },
      ];
      const [withWorker, withoutWorker] = await stepUp(
        targets,
        RATES,
        LIMITS,
        (name, o, failure) => {
          const drained = name === 'draining' ? drainedPerStep.at(-1) : undefined;
          ctx.progress.line(
            `${name}: ${fmt(o)}${drained ? `, ${drained.completedPerS} jobs/s completed meanwhile` : ''}${failure ? ` → stop (${failure})` : ''}`,
          );
        },
        () => sleep(1000),
      );
      const atBest = withWorker!.steps.find((s) => s.offeredRps === withWorker!.bestRps);
      const drainedAtBest = drainedPerStep.find((s) => s.rps === withWorker!.bestRps);
      const stoppedAt = drainedPerStep.at(-1);
      return {
        id: this.id,
        title: this.title,
        metrics: {
          draining_submit_max_rps: withWorker!.bestRps,
          draining_submit_p50_at_max_ms: atBest ? round(atBest.p50Ms) : null,
          draining_submit_p99_at_max_ms: atBest ? round(atBest.p99Ms) : null,
          draining_completed_per_s_at_max: drainedAtBest?.completedPerS ?? null,
          draining_stop_reason: withWorker!.stopReason,
          no_worker_submit_max_rps: withoutWorker!.bestRps,
          no_worker_stop_reason: withoutWorker!.stopReason,
          step_seconds: stepSeconds,
        },
        targets: [
          {
            name: 'Async submit at p99 ≤ 50 ms while a worker drains the same jobs',
            target: `≥ ${TARGET_RPS} req/s`,
            measured:
              withWorker!.bestRps === null
                ? `none (${withWorker!.stopReason})`
                : `${withWorker!.bestRps} req/s with ${drainedAtBest?.completedPerS ?? '?'} jobs/s completing (stopped: ${withWorker!.stopReason}); ${withoutWorker!.bestRps ?? 'none'} req/s with no worker`,
            met: (withWorker!.bestRps ?? 0) >= TARGET_RPS,
            why: stoppedAt ? `at the ${stoppedAt.rps} req/s step that stopped it: ${describeCpu(stoppedAt.cpu)}` : undefined,
          },
        ],
        series: [toSeries('submit while draining', withWorker!), toSeries('submit, no worker', withoutWorker!)],
        notes: [
          'Both deployments: gateway, persistence, notification and streaming as separate processes over RabbitMQ + PostgreSQL; one of them also runs one inference replica (128 slots) on a zero-latency upstream answering 32 tokens, so every submitted job is run, recorded and announced while later submits are timed.',
          'The jobs/s completed during each draining step are counted from PostgreSQL, so a step whose worker did not keep up shows it.',
          'Max = highest offered rate with p99 ≤ 50 ms, 0 errors and ≥ 90 % achieved; the two deployments alternate at each rate.',
        ],
      };
    } finally {
      await counter?.close().catch(() => undefined);
      await Promise.allSettled([draining?.destroy(), idle?.destroy()]);
    }
  },
};
