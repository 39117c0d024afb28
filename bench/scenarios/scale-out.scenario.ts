import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { JobCounter } from '../support/job-count.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { round } from '../support/stats.util';

const CONCURRENCY = 8;
const TTFT_MS = 200;
const TPS = 100;
const TOKENS = 32;
/** How long the upstream takes per job, by its pacing: the service time in Little's law. */
const SERVICE_S = (TTFT_MS + ((TOKENS - 1) * 1000) / TPS) / 1000;
const EFFICIENCY_TARGET = 0.9;

/**
 * e. Worker scale-out: completed jobs/s with 1, 2 and 4 inference replicas (WORKER_CONCURRENCY 8 each) on an
 * upstream that takes ~0.5 s per job, each phase fed a backlog of jobs that keeps every slot busy. Efficiency
 * is the N-replica rate over N × the 1-replica rate, and over Little's-law bound N × 8 / 0.51 s.
 */
export const scaleOutScenario: Scenario = {
  id: 'e-scale-out',
  title: `Worker scale-out: 1, 2, 4 inference replicas (concurrency ${CONCURRENCY}, ${SERVICE_S.toFixed(2)} s per job)`,
  async run(ctx): Promise<ScenarioResult> {
    const phaseS = ctx.quick ? 6 : 15;
    const cluster = await Cluster.start({
      name: `bench_scale_${process.pid}`,
      inference: 0,
      notification: false,
      streaming: false,
      catalog: mockCatalog(ctx.upstreamUrl, `ttft=${TTFT_MS},tps=${TPS},tokens=${TOKENS}`),
      env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
      inferenceEnv: { WORKER_CONCURRENCY: String(CONCURRENCY) },
    });
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const counter = await JobCounter.open(cluster.directDatabaseUrl);
    const rates: Record<number, number> = {};
    let submitted = 0;
    try {
      for (const replicas of [1, 2, 4]) {
        while (cluster.running('inference').length < replicas) await cluster.addInference();
        const bound = (replicas * CONCURRENCY) / SERVICE_S;
        const jobs = Math.ceil(bound * phaseS);
        const base = submitted;
        // The whole backlog is queued first, so every slot stays busy until the tail.
        await runPool(jobs, 32, async (i) => {
          const res = await client.postJson('/v1/chat/completions', mockRequest(`scale-${replicas}-${i}`));
          if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
        });
        submitted += jobs;
        const marks: Array<[number, number]> = [];
        await counter.waitForTerminal(submitted, 120_000, (done, at) => marks.push([done - base, at]), 100);
        const at = (f: number) => marks.find(([d]) => d >= f * jobs)!;
        const [d20, t20] = at(0.2);
        const [d80, t80] = at(0.8);
        rates[replicas] = ((d80 - d20) / (t80 - t20)) * 1000;
        ctx.progress.line(`${replicas} replica(s): ${rates[replicas]!.toFixed(1)} jobs/s (Little's bound ${bound.toFixed(1)})`);
      }
      const eff = (n: number) => rates[n]! / (n * rates[1]!);
      const little = (n: number) => rates[n]! / ((n * CONCURRENCY) / SERVICE_S);
      const terminal = await counter.terminal();
      return {
        id: this.id,
        title: this.title,
        metrics: {
          service_time_s: round(SERVICE_S),
          jobs_per_s_1_replica: round(rates[1]!),
          jobs_per_s_2_replicas: round(rates[2]!),
          jobs_per_s_4_replicas: round(rates[4]!),
          efficiency_2_vs_2x1: round(eff(2)),
          efficiency_4_vs_4x1: round(eff(4)),
          efficiency_1_vs_little_bound: round(little(1)),
          efficiency_4_vs_little_bound: round(little(4)),
          jobs_submitted: submitted,
          jobs_completed: terminal.completed,
        },
        targets: [
          {
            name: 'scale-out efficiency at 4 replicas',
            target: `≥ ${EFFICIENCY_TARGET} of 4 × the 1-replica rate`,
            measured: `${round(eff(4))} (${round(little(4))} of Little's bound)`,
            met: eff(4) >= EFFICIENCY_TARGET && terminal.completed === submitted,
          },
        ],
        notes: ["Rates are completions between each phase's 20 % and 80 % marks, read from PostgreSQL."],
      };
    } finally {
      client.close();
      await counter.close();
      await cluster.destroy();
    }
  },
};
