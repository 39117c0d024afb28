import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { PRIORITY_BANDS, type PriorityBand } from '@conveyor/contracts';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient } from '../support/http-client.util';
import { MOCK_KEY_ENV, mockCatalog } from '../support/mock-catalog.util';
import { round, summarize } from '../support/stats.util';

const RATE_PER_S = 8;
const PACING = 'ttft=300,tps=50,tokens=24';
/** A system prompt like a real application's, the same for every job: what a combined call sends once. */
const SYSTEM =
  'You are the support assistant of an online bookshop. Answer questions about orders, delivery, returns and payment ' +
  'politely, accurately and briefly. If you do not know an answer, say so and suggest writing to the support address.';
const MODES = ['off', 'combined'] as const;

interface PhaseFigures {
  callsPerJob: number;
  promptTokensPerJob: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  batches: number;
  meanBatchSize: number;
  fallbacks: number;
  completed: number;
  jobs: number;
}

/**
 * g. Batching (docs/batching.md): per band, one tenant's jobs arriving at a steady 8/s, each with the same system
 * prompt and a question of its own, run first with batching off, then with BATCHING=all in combined mode (seed
 * 002's windows: high 0.2 s / 6, normal 1 s / 4, low 4 s / 4). Provider calls per job (the bench upstream's count),
 * prompt tokens per job (the usage recorded, which the upstream counts as a quarter of the characters sent) and
 * each job's time from accepted to completed (its row), batching's latency cost being the difference.
 */
export const batchingScenario: Scenario = {
  id: 'i-batching',
  title: `Batching: provider calls, prompt tokens and latency per job, off vs combined, per band (${RATE_PER_S} jobs/s, upstream ${PACING})`,
  async run(ctx): Promise<ScenarioResult> {
    const phaseS = ctx.quick ? 3 : 8;
    const jobsPerPhase = RATE_PER_S * phaseS;
    const cluster = await Cluster.start({
      name: `bench_batch_${process.pid}`,
      inference: 0,
      notification: false,
      streaming: false,
      catalog: mockCatalog(ctx.upstreamUrl, PACING),
      env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
      inferenceEnv: { WORKER_CONCURRENCY: '8' },
    });
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const db = new Client({ connectionString: cluster.directDatabaseUrl });
    await db.connect();
    const figures: Record<string, PhaseFigures> = {};
    try {
      for (const mode of MODES) {
        for (const worker of cluster.running('inference')) await worker.stop();
        await cluster.addInference({ BATCHING: mode === 'off' ? 'off' : 'all' });
        for (const band of PRIORITY_BANDS) {
          await fetch(`${ctx.upstreamUrl}/stats/reset`, { method: 'POST' });
          const ids = await submitSteadily(client, band, mode, jobsPerPhase);
          await waitForEnds(db, ids, 120_000);
          const calls = ((await (await fetch(`${ctx.upstreamUrl}/stats`)).json()) as { calls: number }).calls;
          figures[`${band}_${mode}`] = await measure(db, ids, calls);
          const f = figures[`${band}_${mode}`]!;
          ctx.progress.line(
            `${band}, ${mode}: ${f.callsPerJob.toFixed(2)} calls/job, ${f.promptTokensPerJob.toFixed(1)} prompt tokens/job, p50 ${f.latencyP50Ms} ms, mean batch ${f.meanBatchSize.toFixed(2)}`,
          );
        }
      }
      const metrics: ScenarioResult['metrics'] = { jobs_per_phase: jobsPerPhase, rate_per_s: RATE_PER_S };
      for (const band of PRIORITY_BANDS) {
        const off = figures[`${band}_off`]!;
        const on = figures[`${band}_combined`]!;
        Object.assign(metrics, {
          [`${band}_calls_per_job_off`]: round(off.callsPerJob),
          [`${band}_calls_per_job_combined`]: round(on.callsPerJob),
          [`${band}_prompt_tokens_per_job_off`]: round(off.promptTokensPerJob),
          [`${band}_prompt_tokens_per_job_combined`]: round(on.promptTokensPerJob),
          [`${band}_latency_p50_ms_off`]: off.latencyP50Ms,
          [`${band}_latency_p50_ms_combined`]: on.latencyP50Ms,
          [`${band}_latency_p90_ms_off`]: off.latencyP90Ms,
          [`${band}_latency_p90_ms_combined`]: on.latencyP90Ms,
          [`${band}_latency_cost_p50_ms`]: on.latencyP50Ms - off.latencyP50Ms,
          [`${band}_mean_batch_size`]: round(on.meanBatchSize),
          [`${band}_split_fallbacks`]: on.fallbacks,
          [`${band}_completed_of_submitted`]: `${off.completed + on.completed}/${off.jobs + on.jobs}`,
        });
      }
      return {
        id: this.id,
        title: this.title,
        metrics,
        targets: [],
        notes: [
          'Latency cost = p50 (accepted → completed) with combined batching minus without: the window waited plus the longer combined generation (every answer streams in one reply).',
          'Prompt tokens per job with batching include the batch instruction and JSON framing, apportioned; the shared system prompt is sent once per call.',
        ],
      };
    } finally {
      client.close();
      await db.end();
      await cluster.destroy();
    }
  },
};

/** `count` jobs of `band` at RATE_PER_S, each with the shared system prompt and a question of its own. */
async function submitSteadily(client: HttpClient, band: PriorityBand, mode: string, count: number): Promise<string[]> {
  const start = Date.now();
  const submits: Array<Promise<string>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE_PER_S - Date.now();
    if (due > 0) await sleep(due);
    const body = {
      model: 'mock',
      priority: band,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Order ${mode}-${band}-${i}: it was due on Monday and has not arrived. Where is it, and can I get a refund?` },
      ],
    };
    submits.push(
      client.postJson<{ job_id: string }>('/v1/chat/completions', body).then((res) => {
        if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
        return res.body.job_id;
      }),
    );
  }
  return Promise.all(submits);
}

async function waitForEnds(db: Client, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'failed', 'cancelled', 'expired')",
      [ids],
    );
    if (rows[0]!.n >= ids.length) return;
    if (Date.now() > deadline) throw new Error(`${ids.length - rows[0]!.n} of ${ids.length} jobs still unfinished after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function measure(db: Client, ids: string[], calls: number): Promise<PhaseFigures> {
  const { rows } = await db.query<{ status: string; ms: number; prompt: number | null; batch_id: string | null; fallback: boolean | null }>(
    `SELECT j.status, EXTRACT(EPOCH FROM (j.completed_at - j.created_at)) * 1000 AS ms, u.prompt_tokens AS prompt, j.batch_id, j.batch_fallback AS fallback
     FROM jobs j LEFT JOIN usage_records u ON u.job_id = j.id WHERE j.id = ANY($1::uuid[])`,
    [ids],
  );
  const completed = rows.filter((r) => r.status === 'completed');
  const latency = summarize(completed.map((r) => Number(r.ms)));
  const batches = new Set(rows.flatMap((r) => (r.batch_id ? [r.batch_id] : []))).size;
  return {
    callsPerJob: calls / ids.length,
    promptTokensPerJob: completed.reduce((a, r) => a + (r.prompt ?? 0), 0) / Math.max(1, completed.length),
    latencyP50Ms: Math.round(latency.p50),
    latencyP90Ms: Math.round(latency.p90),
    batches,
    meanBatchSize: batches > 0 ? rows.filter((r) => r.batch_id).length / batches : 1,
    fallbacks: rows.filter((r) => r.fallback === true).length,
    completed: completed.length,
    jobs: ids.length,
  };
}
