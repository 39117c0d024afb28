import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { fixedRate, type FixedRateRequest, type RateOutcome } from '../support/fixed-rate.util';
import { stepUp, toSeries, type StepTarget } from '../support/rate-steps.util';
import { round } from '../support/stats.util';

const BODY = JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 32 });
const RATES = [250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000];
const LIMITS = { p99Ms: 50, minAchievedShare: 0.9 };

/**
 * Limits high enough never to refuse a request of this run, so every submit pays the full admission statement
 * (requests and tokens buckets for the tenant and the key, daily and monthly token budgets, a reservation) and
 * the measurement is its cost, not the cost of answering 429s.
 */
const ADMISSION_ENV = {
  RATE_LIMIT_RPM: '100000000',
  RATE_LIMIT_BURST: '10000000',
  RATE_LIMIT_TPM: '100000000',
  RATE_LIMIT_KEY_RPM: '100000000',
  RATE_LIMIT_KEY_BURST: '10000000',
  RATE_LIMIT_KEY_TPM: '100000000',
  BUDGET_DAILY_TOKENS: '100000000000',
  BUDGET_MONTHLY_TOKENS: '100000000000',
  TENANT_WEIGHTS: 'tenant-alice:2,tenant-bob:1',
};

const fmt = (o: RateOutcome) =>
  `offered ${o.offeredRps} achieved ${Math.round(o.achievedRps)} req/s, p50 ${round(o.p50Ms)} p99 ${round(o.p99Ms)} ms, ${o.errors} errors`;

/**
 * g. What admission and fair share cost a submit: the same 202 path on two deployments started side by side, one
 * with no limits, no budgets and a single queue per band (no fair share), the other with shared rate limits,
 * token budgets, tenant weights and the default shards per band. Stepped up in offered rate, interleaved step by
 * step, until p99 > 50 ms, an error, or < 90 % achieved.
 */
export const admissionScenario: Scenario = {
  id: 'g-admission',
  title: 'What shared rate limits, budgets and fair share cost an async submit',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const stepSeconds = ctx.quick ? 3 : 8;
    let plain: Cluster | undefined;
    let admitted: Cluster | undefined;
    try {
      ctx.progress.line('starting two deployments (0 inference replicas each): without admission and fair share, and with them');
      const [p, a] = await Promise.allSettled([
        Cluster.start({
          name: `bench_g_plain_${process.pid}`,
          inference: 0,
          streaming: false,
          notification: false,
          env: { LOG_LEVEL: 'warn', JOB_QUEUE_SHARDS: '1' },
        }),
        Cluster.start({
          name: `bench_g_admitted_${process.pid}`,
          inference: 0,
          streaming: false,
          notification: false,
          env: { LOG_LEVEL: 'warn', ...ADMISSION_ENV },
        }),
      ]);
      plain = p.status === 'fulfilled' ? p.value : undefined;
      admitted = a.status === 'fulfilled' ? a.value : undefined;
      for (const r of [p, a]) if (r.status === 'rejected') throw r.reason;
      const requestTo = (cluster: Cluster): FixedRateRequest => ({
        url: `${cluster.gatewayUrl}/v1/chat/completions`,
        headers: { authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: BODY,
      });
      const plainRequest = requestTo(plain!);
      const admittedRequest = requestTo(admitted!);

      ctx.progress.line('warm-up: 3 s at 200 req/s each (discarded)');
      for (const r of [plainRequest, admittedRequest]) {
        const w = await fixedRate(r, 200, 3);
        if (w.errors > 0 || w.ok === 0) throw new Error(`warm-up against ${r.url} failed: ${fmt(w)}`);
      }

      ctx.progress.line(`stepping ${RATES.join(', ')} req/s, ${stepSeconds} s a step, interleaved`);
      const targets: StepTarget[] = [
        { name: 'without', atRate: (rps) => fixedRate(plainRequest, rps, stepSeconds) },
        { name: 'with', atRate: (rps) => fixedRate(admittedRequest, rps, stepSeconds) },
      ];
      const [without, withAdmission] = await stepUp(
        targets,
        RATES,
        LIMITS,
        (name, o, failure) => ctx.progress.line(`${name}: ${fmt(o)}${failure ? ` → stop (${failure})` : ''}`),
        () => sleep(1000),
      );
      const ratio = withAdmission!.bestRps !== null && without!.bestRps ? withAdmission!.bestRps / without!.bestRps : null;
      // The latency each pays at the rates both passed: the cost at equal load.
      const shared = withAdmission!.steps.filter((s) => without!.steps.some((w) => w.offeredRps === s.offeredRps));
      const highestShared = [...shared]
        .reverse()
        .find((s) => without!.bestRps !== null && s.offeredRps <= Math.min(without!.bestRps, withAdmission!.bestRps ?? 0));
      const baseAt = highestShared && without!.steps.find((s) => s.offeredRps === highestShared.offeredRps);

      return {
        id: this.id,
        title: this.title,
        metrics: {
          without_max_rps: without!.bestRps,
          without_stop_reason: without!.stopReason,
          with_max_rps: withAdmission!.bestRps,
          with_stop_reason: withAdmission!.stopReason,
          with_to_without_max_rps_ratio: ratio === null ? null : round(ratio),
          compared_at_rps: highestShared?.offeredRps ?? null,
          without_p50_ms: baseAt ? round(baseAt.p50Ms) : null,
          without_p99_ms: baseAt ? round(baseAt.p99Ms) : null,
          with_p50_ms: highestShared ? round(highestShared.p50Ms) : null,
          with_p99_ms: highestShared ? round(highestShared.p99Ms) : null,
          step_seconds: stepSeconds,
        },
        targets: [],
        series: [toSeries('submit without admission', without!), toSeries('submit with limits, budgets, fair share', withAdmission!)],
        notes: [
          'Both deployments: gateway and persistence as separate processes over RabbitMQ + PostgreSQL, no inference replica (jobs only queue), one key of one tenant (the worst case for the shared buckets: every admission updates the same rows).',
          `With: tenant and key buckets (requests and tokens per minute), daily and monthly token budgets, TENANT_WEIGHTS and the default shards per band; every limit set far above the offered load, so nothing is refused and every submit pays the whole admission statement. Without: no limits, no budgets, JOB_QUEUE_SHARDS=1.`,
          'The p50/p99 pair compares the two at the highest rate both passed (p99 ≤ 50 ms, 0 errors, ≥ 90 % achieved).',
        ],
      };
    } finally {
      await Promise.allSettled([plain?.destroy(), admitted?.destroy()]);
    }
  },
};
