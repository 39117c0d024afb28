import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { FastifyBaseline } from '../support/fastify-baseline.process';
import { CpuPhase, describeCpu } from '../support/machine-cpu.util';
import { connectionsFor, fixedRate, type FixedRateRequest, type RateOutcome } from '../support/fixed-rate.util';
import { stepUp, toSeries, type StepTarget } from '../support/rate-steps.util';
import { round } from '../support/stats.util';

/** A small valid submission: one user message, the default model (simulated; no worker runs it here). */
const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 32 });
const RATES = [500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 10000, 12000, 16000, 20000, 25000, 30000];
const LIMITS = { p99Ms: 50, minAchievedShare: 0.9 };
const CPU_PHASE_RPS = 1000;
const TARGET_RPS = 3000;

const fmt = (o: RateOutcome) =>
  `offered ${o.offeredRps} achieved ${Math.round(o.achievedRps)} req/s, p50 ${round(o.p50Ms)} p90 ${round(o.p90Ms)} p99 ${round(o.p99Ms)} ms, ${o.errors} errors, ${o.connections} conns`;

/**
 * Async submit throughput on the 202 path. `POST /v1/chat/completions` commits a row and waits
 * for the broker's confirm before answering 202; with no inference replica the jobs just queue. Stepped up in
 * offered rate (autocannon `overallRate`) until p99 > 50 ms, an error, or < 90 % of the rate achieved, interleaved
 * step by step with a bare Fastify process that validates a similar body by JSON schema and answers 202: the
 * ceiling of an HTTP framework alone on this box, in the same run. A fixed-rate phase first measures the CPU each
 * Conveyor service spends per submit.
 */
export const submitScenario: Scenario = {
  id: 'b-submit',
  title: 'Async submit throughput (202 path) vs a bare Fastify handler',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const stepSeconds = ctx.quick ? 3 : 10;
    const cpuSeconds = ctx.quick ? 4 : 10;
    let cluster: Cluster | undefined;
    let fastify: FastifyBaseline | undefined;
    try {
      ctx.progress.line('starting Conveyor (0 inference replicas) and the bare Fastify baseline');
      // Settled, not all(): if one fails to start, the other is still kept and stopped in `finally`.
      const [c, f] = await Promise.allSettled([Cluster.start({ name: 'bench_b_submit', inference: 0 }), FastifyBaseline.start()]);
      cluster = c.status === 'fulfilled' ? c.value : undefined;
      fastify = f.status === 'fulfilled' ? f.value : undefined;
      for (const r of [c, f]) if (r.status === 'rejected') throw r.reason;
      const conveyorRequest: FixedRateRequest = {
        url: `${cluster!.gatewayUrl}/v1/chat/completions`,
        headers: { authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: BODY,
      };
      const fastifyRequest: FixedRateRequest = {
        url: `${fastify!.url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${FastifyBaseline.key}` },
        body: BODY,
      };

      ctx.progress.line('warm-up: 3 s at 300 req/s each (discarded)');
      for (const r of [conveyorRequest, fastifyRequest]) {
        const w = await fixedRate(r, 300, 3);
        if (w.errors > 0 || w.ok === 0) throw new Error(`warm-up against ${r.url} failed: ${fmt(w)}`);
      }

      ctx.progress.line(`CPU phase: ${CPU_PHASE_RPS} req/s for ${cpuSeconds} s against Conveyor`);
      const machine = await CpuPhase.start(() => cluster!.stats());
      const cpuPhase = await fixedRate(conveyorRequest, CPU_PHASE_RPS, cpuSeconds);
      const split = await machine.end(() => cluster!.stats());
      const after = await cluster!.stats();
      const perRequest = (name: string) => (split.ms[name] ?? 0) / cpuPhase.ok;
      const cpu = Object.fromEntries(Object.keys(after).map((name) => [name, perRequest(name)]));
      const infra = { rabbitmq: perRequest('rabbitmq'), postgresql: perRequest('postgresql') };
      ctx.progress.line(
        `CPU phase: ${fmt(cpuPhase)}; CPU ms/request ${Object.entries({ ...cpu, ...infra })
          .map(([n, v]) => `${n} ${round(v)}`)
          .join(', ')}`,
      );

      ctx.progress.line(`stepping ${RATES.join(', ')} req/s, ${stepSeconds} s a step, interleaved; limits p99 ≤ ${LIMITS.p99Ms} ms, 0 errors, ≥ 90 % achieved`);
      const targets: StepTarget[] = [
        { name: 'conveyor', atRate: (rps) => fixedRate(conveyorRequest, rps, stepSeconds) },
        { name: 'fastify', atRate: (rps) => fixedRate(fastifyRequest, rps, stepSeconds) },
      ];
      const [conveyor, bare] = await stepUp(
        targets,
        RATES,
        LIMITS,
        (name, o, failure) => ctx.progress.line(`${name}: ${fmt(o)}${failure ? ` → stop (${failure})` : ''}`),
        () => sleep(1000),
      );
      const ratio = conveyor!.bestRps !== null && bare!.bestRps ? conveyor!.bestRps / bare!.bestRps : null;
      const atBest = conveyor!.steps.find((s) => s.offeredRps === conveyor!.bestRps);
      const bareCapped = bare!.stopReason === 'passed every step';
      ctx.progress.line(`max at p99 ≤ 50 ms: Conveyor ${conveyor!.bestRps ?? 'none'} req/s, Fastify ${bareCapped ? '≥ ' : ''}${bare!.bestRps ?? 'none'} req/s`);

      return {
        id: this.id,
        title: this.title,
        metrics: {
          conveyor_submit_max_rps: conveyor!.bestRps,
          conveyor_submit_p50_at_max_ms: atBest ? round(atBest.p50Ms) : null,
          conveyor_submit_p99_at_max_ms: atBest ? round(atBest.p99Ms) : null,
          conveyor_submit_stop_reason: conveyor!.stopReason,
          fastify_max_rps: bare!.bestRps,
          fastify_stop_reason: bare!.stopReason,
          conveyor_to_fastify_max_rps_ratio: ratio === null ? null : round(ratio),
          cpu_phase_offered_rps: CPU_PHASE_RPS,
          cpu_phase_achieved_rps: round(cpuPhase.achievedRps),
          cpu_phase_p99_ms: round(cpuPhase.p99Ms),
          ...Object.fromEntries(Object.entries(cpu).map(([n, v]) => [`${n}_cpu_ms_per_req`, round(v)])),
          rabbitmq_shared_cpu_ms_per_req: round(infra.rabbitmq),
          postgresql_shared_cpu_ms_per_req: round(infra.postgresql),
          gateway_peak_rss_mb: round((after.gateway?.peakRssBytes ?? Number.NaN) / 2 ** 20),
          step_seconds: stepSeconds,
        },
        targets: [
          {
            name: 'Async submit throughput at p99 ≤ 50 ms, 0 errors',
            target: `≥ ${TARGET_RPS} req/s`,
            measured: conveyor!.bestRps === null ? `none (${conveyor!.stopReason})` : `${conveyor!.bestRps} req/s (stopped: ${conveyor!.stopReason})`,
            met: (conveyor!.bestRps ?? 0) >= TARGET_RPS,
            why:
              `at ${CPU_PHASE_RPS} req/s (${Math.round(cpuPhase.achievedRps)} achieved, p99 ${round(cpuPhase.p99Ms)} ms): ${describeCpu(split)}; CPU-ms per request ` +
              Object.entries({ ...cpu, ...infra })
                .filter(([, v]) => v >= 0.05)
                .map(([n, v]) => `${n} ${round(v)}`)
                .join(', '),
          },
        ],
        series: [toSeries('Conveyor submit (202)', conveyor!), toSeries('bare Fastify (202)', bare!)],
        notes: [
          `Offered rates ${RATES.join(', ')} req/s, ${stepSeconds} s each, Conveyor and Fastify alternating at each rate; a target stops at its first failing step. Max = highest offered rate with p99 ≤ 50 ms, 0 errors (non-2xx included) and ≥ 90 % achieved.`,
          `autocannon 8 in the harness process, overallRate, connections = rate / 50 within 10–256 (${connectionsFor(3000)} at 3000 req/s). autocannon paces each connection per second (its share back to back, then a wait), so the load is split over 10 instances started 100 ms apart, whose bursts interleave; percentiles are from every 2xx answer's raw time.`,
          `${bareCapped ? `Fastify passed every step up to ${RATES[RATES.length - 1]} req/s, so its figure (and the ratio) is a lower bound` : `Fastify stopped: ${bare!.stopReason}`}. The load generator runs on the same 2 cores, so Fastify's figure is where server and generator together top out on this box.`,
          `Conveyor: separate processes (gateway, persistence, notification, streaming) over RabbitMQ + PostgreSQL, 0 inference replicas, default settings; every 202 is a committed row and a confirmed publish to a quorum queue.`,
          `CPU per request: /proc user+system time of each service over ${cpuSeconds} s at ${CPU_PHASE_RPS} req/s, divided by the 2xx answers. RabbitMQ and PostgreSQL (the *_shared_* figures) are shared with other runs on this machine, so theirs is an upper bound. Persistence does no work on this path (it only handles job events, and no job runs here).`,
        ],
      };
    } finally {
      await Promise.allSettled([fastify?.stop(), cluster?.destroy()]);
    }
  },
};
