import { Agent } from 'node:http';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { followStream, type StreamTally } from '../support/sse-token.client';
import { round, summarize } from '../support/stats.util';

const TOKENS_PER_SECOND = 20;
const TOKENS = 60;
const RELAY_P99_TARGET_MS = 25;

/**
 * d. Concurrent SSE streams: N jobs at 20 tokens/s for 3 s each, every one followed by its own SSE client on the
 * streaming service, all at once. Relay latency is measured per token from the upstream's write (the stamp in
 * the token) to the client's read, through the worker, RabbitMQ and the streaming replica; every stream's
 * tokens must arrive whole and in order.
 */
export const streamingScenario: Scenario = {
  id: 'd-streaming',
  title: `Concurrent SSE streams at ${TOKENS_PER_SECOND} tokens/s: relay latency, loss and order`,
  async run(ctx): Promise<ScenarioResult> {
    const streams = ctx.quick ? 200 : 1_000;
    const cluster = await Cluster.start({
      name: `bench_stream_${process.pid}`,
      inference: 1,
      notification: false,
      // Time to first token leaves every client time to subscribe, so the tokens measured are relayed live.
      catalog: mockCatalog(ctx.upstreamUrl, `ttft=1500,tps=${TOKENS_PER_SECOND},tokens=${TOKENS}`),
      env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
      inferenceEnv: { WORKER_CONCURRENCY: String(streams) },
    });
    const auth = { authorization: `Bearer ${CLUSTER_KEYS.alice}` };
    const client = new HttpClient(cluster.gatewayUrl, auth);
    const sseAgent = new Agent({ keepAlive: false, maxSockets: Infinity });
    try {
      const tallies: Array<Promise<StreamTally>> = [];
      let rejected = 0;
      const t0 = performance.now();
      await runPool(streams, 50, async (i) => {
        const res = await client.postJson<{ job_id: string }>('/v1/chat/completions', mockRequest(`stream-${i}`));
        if (res.status !== 202) return void rejected++;
        tallies.push(followStream(`${cluster.streamingUrl}/v1/jobs/${res.body.job_id}/stream`, auth, sseAgent, TOKENS));
      });
      ctx.progress.line(`${tallies.length} streams open after ${((performance.now() - t0) / 1000).toFixed(1)} s; waiting for them to end`);
      let finished = 0;
      const ticker = setInterval(() => ctx.progress.line(`${finished} of ${tallies.length} streams ended`), 2_000);
      const results = await Promise.all(tallies.map((t) => t.then((r) => (finished++, r))));
      clearInterval(ticker);
      const stats = await cluster.stats();
      const latencies = results.flatMap((r) => r.latenciesMs);
      const relay = summarize(latencies);
      const faulty = results.filter((r) => r.fault !== null || r.ended !== 'completed');
      const tokens = latencies.length;
      ctx.progress.line(`relay p50 ${relay.p50.toFixed(1)} ms, p99 ${relay.p99.toFixed(1)} ms over ${tokens} tokens; ${faulty.length} faulty streams`);
      return {
        id: this.id,
        title: this.title,
        metrics: {
          streams,
          rejected,
          completed_streams: results.filter((r) => r.ended === 'completed').length,
          streams_with_lost_or_reordered_tokens: faulty.length,
          tokens_relayed: tokens,
          tokens_expected: streams * TOKENS,
          relay_p50_ms: round(relay.p50),
          relay_p90_ms: round(relay.p90),
          relay_p99_ms: round(relay.p99),
          streaming_cpu_ms: round(stats.streaming?.cpuMs ?? NaN),
          streaming_peak_rss_mb: round((stats.streaming?.peakRssBytes ?? NaN) / 2 ** 20),
          inference_peak_rss_mb: round((stats['inference-0']?.peakRssBytes ?? NaN) / 2 ** 20),
        },
        targets: [
          {
            name: `${streams} concurrent streams, relay p99`,
            target: `${streams} streams, p99 ≤ ${RELAY_P99_TARGET_MS} ms, 0 lost or reordered`,
            measured: `${results.length - faulty.length} whole streams, p99 ${round(relay.p99)} ms, ${faulty.length} faulty`,
            met: streams >= 1_000 && faulty.length === 0 && relay.p99 <= RELAY_P99_TARGET_MS,
          },
        ],
        notes: faulty.slice(0, 3).map((f) => `faulty stream: ended ${f.ended}, ${f.fault ?? 'no fault'}`),
      };
    } finally {
      client.close();
      sseAgent.destroy();
      await cluster.destroy();
    }
  },
};
