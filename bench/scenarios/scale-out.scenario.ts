import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { Scenario, ScenarioResult, TargetCheck } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { JobCounter } from '../support/job-count.util';
import { CpuPhase, describeCpu, type CpuSplit } from '../support/machine-cpu.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { round } from '../support/stats.util';

const CONCURRENCY = 8;
const TTFT_MS = 200;
const TPS = 100;
const TOKENS = 32;
/** How long the upstream takes per job, by its pacing: the service time in Little's law. */
const SERVICE_S = (TTFT_MS + ((TOKENS - 1) * 1000) / TPS) / 1000;
const EFFICIENCY_TARGET = 0.9;
const REPLICAS = [1, 2, 4] as const;
/** The zero-latency model of the CPU-bound phases: the upstream answers at once, so only the pipeline's CPU limits. */
const FAST_MODEL = 'mock-fast';

/**
 * e. Worker scale-out: completed jobs/s with 1, 2 and 4 inference replicas (WORKER_CONCURRENCY 8 each), twice per
 * step: slot-bound, on an upstream that takes ~0.5 s per job (efficiency against N × the 1-replica rate and against
 * Little's bound N × 8 / 0.51 s), and CPU-bound, on a zero-latency upstream (efficiency against N × the 1-replica
 * rate, with the machine's CPU over the phase). Each phase is fed a backlog that keeps every slot busy.
 */
export const scaleOutScenario: Scenario = {
  id: 'e-scale-out',
  title: `Worker scale-out: 1, 2, 4 inference replicas (concurrency ${CONCURRENCY}), slot-bound (${SERVICE_S.toFixed(2)} s per job) and CPU-bound (zero latency)`,
  async run(ctx): Promise<ScenarioResult> {
    const phaseS = ctx.quick ? 6 : 15;
    const cpuJobs = ctx.quick ? 1_500 : 5_000;
    const cluster = await Cluster.start({
      name: `bench_scale_${process.pid}`,
      inference: 0,
      notification: false,
      streaming: false,
      catalog: mockCatalog(ctx.upstreamUrl, `ttft=${TTFT_MS},tps=${TPS},tokens=${TOKENS}`, { [FAST_MODEL]: `tokens=${TOKENS}` }),
      env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
      inferenceEnv: { WORKER_CONCURRENCY: String(CONCURRENCY) },
    });
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const counter = await JobCounter.open(cluster.directDatabaseUrl);
    const slotRates: Record<number, number> = {};
    const cpuRates: Record<number, number> = {};
    const cpuSplits: Record<number, CpuSplit> = {};
    let submitted = 0;
    /** Queues `jobs` jobs of `model` (32 connections). */
    const queue = async (label: string, jobs: number, model: string): Promise<void> => {
      await runPool(jobs, 32, async (i) => {
        const res = await client.postJson('/v1/chat/completions', mockRequest(`${label}-${i}`, { model }));
        if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
      });
      submitted += jobs;
    };
    /** Waits for the last `jobs` queued to end; answers the completion rate between their 20 % and 80 % marks. */
    const drained = async (jobs: number): Promise<number> => {
      const base = submitted - jobs;
      const marks: Array<[number, number]> = [];
      await counter.waitForTerminal(submitted, 180_000, (done, at) => marks.push([done - base, at]), 100);
      const at = (f: number) => marks.find(([d]) => d >= f * jobs)!;
      const [d20, t20] = at(0.2);
      const [d80, t80] = at(0.8);
      return ((d80 - d20) / (t80 - t20)) * 1000;
    };
    try {
      // Slot-bound: the upstream's 0.5 s per job is far more than a submit, so the backlog outgrows the slots at once.
      for (const replicas of REPLICAS) {
        while (cluster.running('inference').length < replicas) await cluster.addInference();
        const bound = (replicas * CONCURRENCY) / SERVICE_S;
        const jobs = Math.ceil(bound * phaseS);
        await queue(`slot-${replicas}`, jobs, 'mock');
        slotRates[replicas] = await drained(jobs);
        ctx.progress.line(`slot-bound, ${replicas} replica(s): ${slotRates[replicas]!.toFixed(1)} jobs/s (Little's bound ${bound.toFixed(1)})`);
      }
      // CPU-bound: a zero-latency job is quicker than its submit, so the backlog is queued with no replica running
      // and the replicas are started on it; the drain is timed alone.
      for (const replicas of REPLICAS) {
        await Promise.all(cluster.running('inference').map((s) => s.stop()));
        await queue(`cpu-${replicas}`, cpuJobs, FAST_MODEL);
        const phase = await CpuPhase.start(() => cluster.stats());
        // Started together, so no replica has the backlog to itself while the others boot.
        await Promise.all(Array.from({ length: replicas }, () => cluster.addInference()));
        cpuRates[replicas] = await drained(cpuJobs);
        cpuSplits[replicas] = await phase.end(() => cluster.stats());
        ctx.progress.line(`CPU-bound, ${replicas} replica(s): ${cpuRates[replicas]!.toFixed(1)} jobs/s; ${describeCpu(cpuSplits[replicas]!)}`);
      }
      const eff = (rates: Record<number, number>, n: number) => rates[n]! / (n * rates[1]!);
      const little = (n: number) => slotRates[n]! / ((n * CONCURRENCY) / SERVICE_S);
      const terminal = await counter.terminal();
      const allDone = terminal.completed === submitted;
      const cpuTarget: TargetCheck = {
        name: 'scale-out efficiency at 4 replicas, CPU-bound (zero-latency upstream)',
        target: `≥ ${EFFICIENCY_TARGET} of 4 × the 1-replica rate`,
        measured: `${round(eff(cpuRates, 4))} (${round(cpuRates[4]!)} vs ${round(cpuRates[1]!)} jobs/s)`,
        met: eff(cpuRates, 4) >= EFFICIENCY_TARGET && allDone,
        why: `at 1 replica: ${describeCpu(cpuSplits[1]!)}; at 4: ${describeCpu(cpuSplits[4]!)}. Replicas share the machine's cores with the gateway, persistence, RabbitMQ and PostgreSQL, so once the 1-replica phase keeps the cores busy more replicas add no CPU to run on`,
      };
      return {
        id: this.id,
        title: this.title,
        metrics: {
          service_time_s: round(SERVICE_S),
          ...Object.fromEntries(REPLICAS.map((n) => [`slot_bound_jobs_per_s_${n}_replica${n > 1 ? 's' : ''}`, round(slotRates[n]!)])),
          slot_bound_efficiency_2_vs_2x1: round(eff(slotRates, 2)),
          slot_bound_efficiency_4_vs_4x1: round(eff(slotRates, 4)),
          slot_bound_efficiency_1_vs_little_bound: round(little(1)),
          slot_bound_efficiency_4_vs_little_bound: round(little(4)),
          ...Object.fromEntries(REPLICAS.map((n) => [`cpu_bound_jobs_per_s_${n}_replica${n > 1 ? 's' : ''}`, round(cpuRates[n]!)])),
          cpu_bound_efficiency_2_vs_2x1: round(eff(cpuRates, 2)),
          cpu_bound_efficiency_4_vs_4x1: round(eff(cpuRates, 4)),
          ...Object.fromEntries(REPLICAS.map((n) => [`cpu_bound_machine_busy_share_${n}`, round(cpuSplits[n]!.busy)])),
          jobs_submitted: submitted,
          jobs_completed: terminal.completed,
        },
        targets: [
          {
            name: 'scale-out efficiency at 4 replicas, slot-bound (~0.5 s upstream)',
            target: `≥ ${EFFICIENCY_TARGET} of 4 × the 1-replica rate`,
            measured: `${round(eff(slotRates, 4))} (${round(little(4))} of Little's bound)`,
            met: eff(slotRates, 4) >= EFFICIENCY_TARGET && allDone,
          },
          cpuTarget,
        ],
        notes: [
          "Rates are completions between each phase's 20 % and 80 % marks, read from PostgreSQL.",
          `CPU-bound phases: ${cpuJobs} jobs of a zero-latency model (${TOKENS} tokens at once) per step; machine busy share from /proc/stat over the phase, CPU per process group from /proc.`,
        ],
      };
    } finally {
      client.close();
      await counter.close();
      await cluster.destroy();
    }
  },
};
