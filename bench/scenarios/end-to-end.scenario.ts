import { cpus } from 'node:os';
import { CLUSTER_KEYS, Cluster, type ClusterSpec } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { JobCounter } from '../support/job-count.util';
import { CpuPhase, describeCpu } from '../support/machine-cpu.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { round } from '../support/stats.util';

const TARGET_JOBS_PER_S = 1_000;
/** CPU per job, Conveyor, RabbitMQ and PostgreSQL together: what 1,000 jobs/s on two cores leaves room for. */
const TARGET_CPU_MS_PER_JOB = 2;

/** The deployment of c (and of j, which profiles the same load): one inference replica, 128 slots, 32 tokens at once. */
export function endToEndCluster(ctx: BenchContext, name: string, extra: Partial<ClusterSpec> = {}): ClusterSpec {
  return {
    name,
    inference: 1,
    catalog: mockCatalog(ctx.upstreamUrl, 'tokens=32'),
    env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
    inferenceEnv: { WORKER_CONCURRENCY: '128' },
    ...extra,
  };
}

/**
 * c. End-to-end completed jobs per second: a burst of jobs submitted as fast as 64 connections allow, on a
 * zero-latency upstream answering 32 tokens, timed from the first submit to the moment PostgreSQL says the
 * last one is completed. Two rates: overall (burst start to last row) and steady (between the 20 % and 80 %
 * marks, which leaves out start-up and the tail).
 */
export const endToEndScenario: Scenario = {
  id: 'c-end-to-end',
  title: 'End-to-end completed jobs per second (zero-latency upstream, 32 tokens)',
  async run(ctx): Promise<ScenarioResult> {
    const jobs = ctx.quick ? 1_500 : 6_000;
    const cluster = await Cluster.start(endToEndCluster(ctx, `bench_e2e_${process.pid}`));
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const counter = await JobCounter.open(cluster.directDatabaseUrl);
    try {
      const phase = await CpuPhase.start(() => cluster.stats());
      let accepted = 0;
      let rejected = 0;
      const t0 = performance.now();
      const marks: Array<[done: number, atMs: number]> = [];
      const submitting = runPool(jobs, 64, async (i) => {
        const res = await client.postJson('/v1/chat/completions', mockRequest(`e2e-${i}`));
        if (res.status === 202) accepted++;
        else rejected++;
      });
      let lastReport = 0;
      const waiting = counter.waitForTerminal(jobs, 300_000, (done, at) => {
        marks.push([done, at]);
        if (at - lastReport > 2_000) {
          lastReport = at;
          ctx.progress.line(`${accepted} accepted, ${done} terminal after ${((at - t0) / 1000).toFixed(1)} s`);
        }
      });
      await submitting;
      const tSubmitted = performance.now();
      const done = await waiting;
      const tDone = marks[marks.length - 1]![1];
      const split = await phase.end(() => cluster.stats());
      const terminal = await counter.terminal();
      const at = (fraction: number) => marks.find(([d]) => d >= fraction * jobs)!;
      const [d20, t20] = at(0.2);
      const [d80, t80] = at(0.8);
      const overall = (terminal.completed / (tDone - t0)) * 1000;
      const steady = ((d80 - d20) / (t80 - t20)) * 1000;
      const perJob = (name: string) => (split.ms[name] ?? 0) / jobs;
      const cpu = (name: string) => round(perJob(name));
      const conveyorCpu = ['gateway', 'inference-0', 'persistence', 'notification', 'streaming'].reduce((sum, n) => sum + perJob(n), 0);
      const totalCpu = conveyorCpu + perJob('rabbitmq') + perJob('postgresql');
      const cpuWhy =
        `${describeCpu(split)}. ${round(totalCpu)} CPU-ms per job (Conveyor ${round(conveyorCpu)}, RabbitMQ ${round(perJob('rabbitmq'))}, ` +
        `PostgreSQL ${round(perJob('postgresql'))}) put the ceiling of ${cpus().length} cores at ~${round((cpus().length * 1000) / totalCpu)} jobs/s; where Conveyor's goes: j-profile`;
      ctx.progress.line(`${terminal.completed} completed, overall ${overall.toFixed(0)} jobs/s, steady ${steady.toFixed(0)} jobs/s`);
      return {
        id: this.id,
        title: this.title,
        metrics: {
          jobs,
          accepted,
          rejected,
          completed: terminal.completed,
          failed: terminal.failed,
          inference_replicas: cluster.running('inference').length,
          submit_rate_per_s: round((accepted / (tSubmitted - t0)) * 1000),
          completed_per_s_overall: round(overall),
          completed_per_s_steady_20_80: round(steady),
          ratio_completed_to_submitted_rate: round(overall / ((accepted / (tSubmitted - t0)) * 1000)),
          cpu_ms_per_job_gateway: cpu('gateway'),
          cpu_ms_per_job_inference: cpu('inference-0'),
          cpu_ms_per_job_persistence: cpu('persistence'),
          cpu_ms_per_job_notification: cpu('notification'),
          cpu_ms_per_job_streaming: cpu('streaming'),
          cpu_ms_per_job_rabbitmq: round(perJob('rabbitmq')),
          cpu_ms_per_job_postgresql: round(perJob('postgresql')),
          cpu_ms_per_job_total: round(totalCpu),
          machine_cpu_busy_share: round(split.busy),
          terminal_seen: done,
        },
        targets: [
          {
            name: 'end-to-end completed jobs/s',
            target: `≥ ${TARGET_JOBS_PER_S} jobs/s`,
            measured: `${round(steady)} jobs/s steady, ${round(overall)} overall`,
            met: steady >= TARGET_JOBS_PER_S && terminal.completed === jobs,
            why: cpuWhy,
          },
          {
            name: 'CPU per job, Conveyor + RabbitMQ + PostgreSQL',
            target: `≤ ${TARGET_CPU_MS_PER_JOB} ms`,
            measured: `${round(totalCpu)} ms`,
            met: totalCpu <= TARGET_CPU_MS_PER_JOB,
            why: cpuWhy,
          },
        ],
        notes: ['Steady = completions between the 20 % and 80 % marks over the time between them; overall = all completions over first submit to last row.'],
      };
    } finally {
      client.close();
      await counter.close();
      await cluster.destroy();
    }
  },
};
