import { Agent } from 'node:http';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { CpuPhase, CpuSampler, describeCpu, type CpuSplit } from '../support/machine-cpu.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { followStream, type StreamTally } from '../support/sse-token.client';
import { round, summarize } from '../support/stats.util';

const TOKENS_PER_SECOND = 20;
const TOKENS = 60;
const RELAY_P99_TARGET_MS = 50;

/**
 * d. Concurrent SSE streams, stepped (250, 500, 1,000): N jobs at 20 tokens/s for 3 s each, every one followed by
 * its own SSE client on the streaming service, all at once. Relay latency is measured per token from the upstream's write (the stamp in
 * the token) to the client's read, through the worker, RabbitMQ and the streaming replica; every stream's
 * tokens must arrive whole and in order.
 */
export const streamingScenario: Scenario = {
  id: 'd-streaming',
  title: `Concurrent SSE streams at ${TOKENS_PER_SECOND} tokens/s: relay latency, loss and order`,
  async run(ctx): Promise<ScenarioResult> {
    const steps = ctx.quick ? [100, 200] : [250, 500, 1_000];
    const metrics: Record<string, number> = {};
    const notes: string[] = [];
    let last: StepResult | null = null;
    let withLiveCpu: { streams: number; liveCpu: LiveCpu } | null = null;
    for (const streams of steps) {
      ctx.progress.line(`${streams} concurrent streams`);
      last = await runStep(ctx, streams);
      const { relay } = last;
      ctx.progress.line(
        `${streams} streams: relay p50 ${relay.p50.toFixed(1)} ms, p99 ${relay.p99.toFixed(1)} ms over ${relay.n} tokens; ${last.faulty.length} faulty streams`,
      );
      metrics[`streams_${streams}_relay_p50_ms`] = round(relay.p50);
      metrics[`streams_${streams}_relay_p90_ms`] = round(relay.p90);
      metrics[`streams_${streams}_relay_p99_ms`] = round(relay.p99);
      if (last.allLive) {
        metrics[`streams_${streams}_all_live_seconds`] = round(last.allLive.seconds);
        metrics[`streams_${streams}_relay_p50_all_live_ms`] = round(last.allLive.relay.p50);
        metrics[`streams_${streams}_relay_p99_all_live_ms`] = round(last.allLive.relay.p99);
      }
      for (const [phase, summary] of Object.entries(last.byPhase)) {
        if (summary.n > 0) metrics[`streams_${streams}_relay_p99_${phase}_ms`] = round(summary.p99);
      }
      metrics[`streams_${streams}_completed`] = last.completed;
      metrics[`streams_${streams}_lost_or_reordered`] = last.faulty.length;
      metrics[`streams_${streams}_tokens_relayed_of_expected`] = round(relay.n / (streams * TOKENS));
      metrics[`streams_${streams}_chunk_rows_per_token`] = round(last.chunkRows / Math.max(1, relay.n));
      metrics[`streams_${streams}_streaming_cpu_ms`] = round(last.streamingCpuMs);
      metrics[`streams_${streams}_streaming_peak_rss_mb`] = round(last.streamingPeakRssMb);
      metrics[`streams_${streams}_machine_busy_share`] = round(last.cpu.busy);
      if (last.liveCpu) {
        const perToken = cpuPerToken(last.liveCpu);
        metrics[`streams_${streams}_all_live_cpu_ms_per_token_conveyor`] = round(perToken.conveyor);
        metrics[`streams_${streams}_all_live_cpu_ms_per_token_rabbitmq`] = round(perToken.rabbitmq);
        metrics[`streams_${streams}_all_live_cpu_ms_per_token_postgresql`] = round(perToken.postgresql);
        metrics[`streams_${streams}_all_live_cpu_ms_per_token_load_generator_mock_other`] = round(perToken.load);
        withLiveCpu = { streams, liveCpu: last.liveCpu };
      }
      notes.push(...last.faulty.slice(0, 3).map((f) => `${streams} streams: faulty stream ended ${f.ended}, ${f.fault ?? 'no fault'}`));
    }
    const top = steps[steps.length - 1]!;
    const faulty = last!.faulty.length;
    return {
      id: this.id,
      title: this.title,
      metrics,
      targets: [
        {
          name: `${top} concurrent streams, relay p99`,
          target: `1000 streams, p99 ≤ ${RELAY_P99_TARGET_MS} ms, 0 lost or reordered`,
          measured: `${last!.completed} of ${top} whole, p99 ${round(last!.relay.p99)} ms, ${faulty} faulty`,
          met: top >= 1_000 && faulty === 0 && last!.relay.p99 <= RELAY_P99_TARGET_MS,
          why: `over the ${top}-stream step: ${describeCpu(last!.cpu)}. A token waits wherever a process on its path (worker, RabbitMQ, streaming) is queued for a core${ceilingNote(withLiveCpu)}${allLiveNote(last!)}${phaseNote(last!)}`,
        },
      ],
      notes: [
        `Each step: N jobs on 1 inference replica (WORKER_CONCURRENCY N), upstream ${TOKENS} tokens at ${TOKENS_PER_SECOND}/s after 1.5 s plus a random 0–${1000 / TOKENS_PER_SECOND} ms (so streams are not in lockstep), every job followed by its own SSE client on the streaming service (1 replica).`,
        ...notes,
      ],
    };
  },
};

interface StepResult {
  relay: ReturnType<typeof summarize>;
  /** The tokens sent while every stream of the step was live (after the last one's first token, before the first one's last). */
  allLive: { seconds: number; relay: ReturnType<typeof summarize> } | null;
  /** Relay latency by what the step was doing when each token was sent (see relayByPhase). */
  byPhase: Record<'starting' | 'steady' | 'ending', ReturnType<typeof summarize>>;
  completed: number;
  faulty: StreamTally[];
  /** `job_chunks` rows the step left: persistence stores each job's chunks of a STREAM_STORE_MS window as one. */
  chunkRows: number;
  streamingCpuMs: number;
  streamingPeakRssMb: number;
  /** The machine's CPU while the streams ran (from the first submit to the last stream's end). */
  cpu: CpuSplit;
  /** The CPU over the stretch when every stream was live, and the tokens sent in it: the cost of relaying alone. */
  liveCpu: LiveCpu | null;
}

interface LiveCpu {
  split: CpuSplit;
  tokens: number;
}

async function runStep(ctx: BenchContext, streams: number): Promise<StepResult> {
  const cluster = await Cluster.start({
    name: `bench_stream_${process.pid}`,
    inference: 1,
    notification: false,
    // Time to first token leaves every client time to subscribe, so the tokens measured are relayed live.
    // The jitter (one token interval) spreads the streams' token times as independent clients' would be, instead
    // of every stream writing its token in the same millisecond.
    catalog: mockCatalog(ctx.upstreamUrl, `ttft=1500,jitter=${1000 / TOKENS_PER_SECOND},tps=${TOKENS_PER_SECOND},tokens=${TOKENS}`),
    env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
    inferenceEnv: { WORKER_CONCURRENCY: String(streams) },
  });
  const auth = { authorization: `Bearer ${CLUSTER_KEYS.alice}` };
  const client = new HttpClient(cluster.gatewayUrl, auth);
  const sseAgent = new Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    const tallies: Array<Promise<StreamTally>> = [];
    const phase = await CpuPhase.start(() => cluster.stats());
    const sampler = CpuSampler.start(() => cluster.stats(), 250);
    const t0 = performance.now();
    await runPool(streams, 50, async (i) => {
      const res = await client.postJson<{ job_id: string }>('/v1/chat/completions', mockRequest(`stream-${i}`));
      if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
      tallies.push(followStream(`${cluster.streamingUrl}/v1/jobs/${res.body.job_id}/stream`, auth, sseAgent, TOKENS));
    });
    ctx.progress.line(`${tallies.length} streams open after ${((performance.now() - t0) / 1000).toFixed(1)} s; waiting for them to end`);
    let finished = 0;
    const ticker = setInterval(() => ctx.progress.line(`${finished} of ${tallies.length} streams ended`), 2_000);
    const results = await Promise.all(tallies.map((t) => t.then((r) => (finished++, r))));
    clearInterval(ticker);
    const cpu = await phase.end(() => cluster.stats());
    await sampler.stop();
    const stats = await cluster.stats();
    return {
      liveCpu: liveCpuOf(results, sampler),
      chunkRows: await chunkRowsOf(cluster),
      relay: summarize(results.flatMap((r) => r.latenciesMs)),
      allLive: allLiveRelay(results),
      byPhase: relayByPhase(results),
      completed: results.filter((r) => r.ended === 'completed').length,
      faulty: results.filter((r) => r.fault !== null || r.ended !== 'completed'),
      streamingCpuMs: stats.streaming?.cpuMs ?? Number.NaN,
      streamingPeakRssMb: (stats.streaming?.peakRssBytes ?? Number.NaN) / 2 ** 20,
      cpu,
    };
  } finally {
    client.close();
    sseAgent.destroy();
    await cluster.destroy();
  }
}

/** The cluster's `job_chunks` rows, once persistence has stored the chunks it still gathered when the streams ended. */
async function chunkRowsOf(cluster: Cluster): Promise<number> {
  const db = new Client({ connectionString: cluster.directDatabaseUrl });
  await db.connect();
  try {
    const count = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM job_chunks')).rows[0]!.n);
    for (let before = -1, now = await count(); ; before = now, now = await count()) {
      if (now === before) return now;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await db.end();
  }
}

/**
 * Relay latency of the tokens the upstream sent while every stream was live: the step starts all its streams at
 * once, so its first and last seconds also carry every stream's set-up and end, which this leaves out.
 */
function allLiveRelay(tallies: readonly StreamTally[]): StepResult['allLive'] {
  const live = allLiveWindow(tallies);
  if (!live) return null;
  const { from, to } = live;
  const latencies = tallies.flatMap((t) => t.latenciesMs.filter((_, i) => t.sentAtMs[i]! >= from && t.sentAtMs[i]! <= to));
  return { seconds: (to - from) / 1000, relay: summarize(latencies) };
}

/** From the last stream's first token to the first stream's last (upstream send times), if every stream sent any. */
function allLiveWindow(tallies: readonly StreamTally[]): { from: number; to: number } | null {
  if (tallies.some((t) => t.sentAtMs.length === 0)) return null;
  const from = Math.max(...tallies.map((t) => Math.min(...t.sentAtMs)));
  const to = Math.min(...tallies.map((t) => Math.max(...t.sentAtMs)));
  return to > from ? { from, to } : null;
}

/**
 * Relay latency by what the step was doing when the upstream sent the token: some stream was ending (from the
 * first stream's last token to the last one's), else some stream was starting (first tokens), else neither. At the
 * larger steps submitting outlasts a stream, so the first streams end while the last start: those count as ending.
 */
function relayByPhase(tallies: readonly StreamTally[]): StepResult['byPhase'] {
  const sent = tallies.filter((t) => t.sentAtMs.length > 0);
  const firsts = sent.map((t) => Math.min(...t.sentAtMs));
  const lasts = sent.map((t) => Math.max(...t.sentAtMs));
  const [startFrom, startTo, endFrom] = [Math.min(...firsts), Math.max(...firsts), Math.min(...lasts)];
  const phases = { starting: [] as number[], steady: [] as number[], ending: [] as number[] };
  for (const t of sent) {
    t.sentAtMs.forEach((at, i) => {
      const phase = at >= endFrom ? 'ending' : at >= startFrom && at <= startTo ? 'starting' : 'steady';
      phases[phase].push(t.latenciesMs[i]!);
    });
  }
  return { starting: summarize(phases.starting), steady: summarize(phases.steady), ending: summarize(phases.ending) };
}

/**
 * The CPU over the snapshots inside the stretch when every stream was live (no stream starting or ending), and the
 * tokens the clients read between the first and the last of them.
 */
function liveCpuOf(tallies: readonly StreamTally[], sampler: CpuSampler): LiveCpu | null {
  const live = allLiveWindow(tallies);
  const span = live && sampler.between(live.from, live.to);
  if (!span) return null;
  // Tokens the clients read in the span, not those the upstream sent: past the machine's ceiling the relay falls
  // behind what is sent, and the CPU spent in the span went to the tokens it got through.
  const readInSpan = (t: StreamTally) => t.sentAtMs.filter((at, i) => at + t.latenciesMs[i]! >= span.fromMs && at + t.latenciesMs[i]! <= span.toMs).length;
  return { split: span.split, tokens: tallies.reduce((n, t) => n + readInSpan(t), 0) };
}

/** CPU-ms per token over the all-live stretch: Conveyor's processes, RabbitMQ, PostgreSQL, and the rest of the machine. */
function cpuPerToken({ split, tokens }: LiveCpu): {
  conveyor: number;
  services: Record<string, number>;
  rabbitmq: number;
  postgresql: number;
  load: number;
} {
  const n = Math.max(1, tokens);
  const { rabbitmq = 0, postgresql = 0, 'load generator, mock, other': load = 0, ...services } = split.ms;
  const conveyor = Object.values(services).reduce((a, b) => a + b, 0);
  const perService = Object.fromEntries(Object.entries(services).map(([name, ms]) => [name, ms / n]));
  return { conveyor: conveyor / n, services: perService, rabbitmq: rabbitmq / n, postgresql: postgresql / n, load: load / n };
}

/**
 * How many streams at 20 tokens/s the machine's cores could carry at the CPU per token measured while every stream
 * of a step was live: with Conveyor, RabbitMQ and PostgreSQL alone on them, and with the load generator and the
 * upstream mock, which here share them.
 */
function ceilingNote(measured: { streams: number; liveCpu: LiveCpu } | null): string {
  if (!measured) return '';
  const { conveyor, services, rabbitmq, postgresql, load } = cpuPerToken(measured.liveCpu);
  const system = conveyor + rabbitmq + postgresql;
  const split = Object.entries(services)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${round(ms)}`)
    .join(', ');
  const streamsAt = (msPerToken: number) => Math.round((cpus().length * 1000) / (msPerToken * TOKENS_PER_SECOND));
  return (
    `; while all ${measured.streams} streams of the ${measured.streams}-stream step were live, relaying took ${round(system)} CPU-ms per token (Conveyor ${round(conveyor)}: ${split}; ` +
    `RabbitMQ ${round(rabbitmq)}, PostgreSQL ${round(postgresql)}): the ceiling of ${cpus().length} cores is ~${streamsAt(system)} streams at ` +
    `${TOKENS_PER_SECOND} tokens/s, ~${streamsAt(system + load)} with the load generator and the upstream mock (${round(load)} CPU-ms per token more) on the same cores ` +
    `(a cost per token that falls as streams are added: the worker puts more jobs' chunks in each message)`
  );
}

function phaseNote(step: StepResult): string {
  const part = (summary: ReturnType<typeof summarize>) => (summary.n === 0 ? 'none sent' : `${round(summary.p99)} ms (${summary.n} tokens)`);
  const { starting, steady, ending } = step.byPhase;
  return `; relay p99 of the tokens sent while streams were starting ${part(starting)}, while none started or ended ${part(steady)}, while streams were ending ${part(ending)}`;
}

function allLiveNote(step: StepResult): string {
  if (!step.allLive) return '; no stretch of the step had every stream live at once';
  const { seconds, relay } = step.allLive;
  return `; over the ${round(seconds)} s when every stream was live (no stream starting or ending) p50 ${round(relay.p50)} ms, p99 ${round(relay.p99)} ms`;
}
