import { readFileSync } from 'node:fs';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { BenchContext, Scenario, ScenarioResult } from '../support/bench.types';
import { interleavedRounds, type Probe, type ProbeSamples } from '../support/interleaved-rounds.util';
import { addedOver, latencyMetrics, latencyTargets } from '../support/latency-report.util';
import { hopFloorMs, measureHops } from '../support/hop-floor.util';
import { latencyStages, STAGES } from '../support/latency-stages.util';
import { MOCK_KEY_ENV, mockCatalog } from '../support/mock-catalog.util';
import { PortkeyGateway } from '../support/portkey.process';
import { percentile, round } from '../support/stats.util';
import { timedEndpoint, timedPost, type TimedEndpoint } from '../support/timed-request.util';

/** Zero-latency pacing: every token at once, so what is measured is the path, not the model. */
const UPSTREAM_MODEL = 'ttft=0,tokens=32';
const MESSAGES = [{ role: 'user', content: 'Say hello.' }];

const TARGETS = ['direct', 'conveyor', 'portkey'] as const;
type Target = (typeof TARGETS)[number];

/** A full answer is timed to its last byte; a stream to its first content token. */
function probe(target: Target, stream: boolean, endpoint: TimedEndpoint, model: string): Probe {
  const body = JSON.stringify({ model, messages: MESSAGES, ...(stream ? { stream: true } : {}) });
  return {
    name: `${target}${stream ? '-ttft' : ''}`,
    async measure() {
      const t = await timedPost(endpoint, body, stream);
      return { ms: stream ? t.firstTokenMs : t.totalMs, fault: t.fault };
    },
  };
}

const line = (name: string, s: ProbeSamples) =>
  `${name} p50 ${round(percentile(s.samples, 50))} p99 ${round(percentile(s.samples, 99))} ms (n=${s.samples.length}${s.faults.length ? `, ${s.faults.length} faults` : ''})`;

/**
 * What Conveyor adds at concurrency 1 over calling the upstream mock directly, full answers and
 * time to first token, next to the Portkey gateway pointed at the same mock. Conveyor is measured on its drop-in
 * `/openai/v1/chat/completions`, which queues the job (row + confirmed publish), has the one inference replica run
 * it and answers when it ends: the durable queue's whole round trip. Every round sends one request to each of
 * the six probes in a rotating order, so drift on the shared machine hits every target alike.
 */
export const latencyScenario: Scenario = {
  id: 'a-latency',
  title: 'Added latency at concurrency 1 (full answer and time to first token) vs the mock direct and Portkey',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const rounds = ctx.quick ? 100 : 1000;
    const warmup = ctx.quick ? 20 : 100;
    let cluster: Cluster | undefined;
    let portkey: PortkeyGateway | undefined;
    const endpoints: TimedEndpoint[] = [];
    try {
      ctx.progress.line('starting Conveyor (1 inference replica) and Portkey');
      // Settled, not all(): if one fails to start, the other is still kept and stopped in `finally`.
      const [c, p] = await Promise.allSettled([
        Cluster.start({
          name: 'bench_a_latency',
          inference: 1,
          env: { DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
          catalog: mockCatalog(ctx.upstreamUrl, UPSTREAM_MODEL),
        }),
        PortkeyGateway.start(),
      ]);
      cluster = c.status === 'fulfilled' ? c.value : undefined;
      portkey = p.status === 'fulfilled' ? p.value : undefined;
      for (const r of [c, p]) if (r.status === 'rejected') throw r.reason;
      const portkeyRoute = portkey!.route(`${ctx.upstreamUrl}/v1`);
      const endpointOf = (target: Target): TimedEndpoint => {
        const e =
          target === 'direct'
            ? timedEndpoint(`${ctx.upstreamUrl}/v1/chat/completions`, { authorization: 'Bearer bench' })
            : target === 'conveyor'
              ? timedEndpoint(`${cluster!.gatewayUrl}/openai/v1/chat/completions`, { authorization: `Bearer ${CLUSTER_KEYS.alice}` })
              : timedEndpoint(portkeyRoute.url, portkeyRoute.headers);
        endpoints.push(e);
        return e;
      };
      const probes = TARGETS.flatMap((t) => [false, true].map((stream) => probe(t, stream, endpointOf(t), t === 'conveyor' ? 'mock' : UPSTREAM_MODEL)));
      for (const p of probes) {
        const first = await p.measure();
        if (first.fault) throw new Error(`${p.name} does not answer properly: ${first.fault}`);
      }

      ctx.progress.line(`${warmup} warm-up + ${rounds} interleaved rounds of ${probes.length} probes (c=1, ${UPSTREAM_MODEL})`);
      const results = await interleavedRounds(probes, {
        rounds,
        warmup,
        every: ctx.quick ? 50 : 250,
        onProgress: (done, r) => ctx.progress.line(`round ${done}/${rounds}: ${[...r].map(([n, s]) => line(n, s)).join('; ')}`),
      });
      const get = (name: string) => results.get(name)!;
      const full = { conveyor: addedOver(get('conveyor'), get('direct')), portkey: addedOver(get('portkey'), get('direct')) };
      const ttft = { conveyor: addedOver(get('conveyor-ttft'), get('direct-ttft')), portkey: addedOver(get('portkey-ttft'), get('direct-ttft')) };
      for (const [name, s] of results) ctx.progress.line(line(name, s));
      ctx.progress.line(
        `added p50: full Conveyor ${round(full.conveyor.addedP50)} / Portkey ${round(full.portkey.addedP50)} ms; TTFT Conveyor ${round(ttft.conveyor.addedP50)} / Portkey ${round(ttft.portkey.addedP50)} ms`,
      );

      // Where Conveyor's own time goes, stage by stage, on the same cluster right after the rounds.
      const stageRequests = ctx.quick ? 50 : 300;
      ctx.progress.line(`${stageRequests} more requests split into stages by their job rows`);
      const before = await cluster!.stats();
      const stages = await latencyStages(cluster!, stageRequests);
      const after = await cluster!.stats();
      // CPU each service spent per request at c = 1: every hop wakes an idle process, and none is batched with another job's.
      const cpuPerRequest = Object.keys(after)
        .filter((name) => before[name])
        .map((name) => [name, round((after[name]!.cpuMs - before[name]!.cpuMs) / stageRequests)] as const);
      ctx.progress.line('the durable round trips of one completion, each timed alone');
      const hops = await measureHops(ctx.quick ? 50 : 300);
      const floor = hopFloorMs(hops);
      const why =
        `p50 by stage (${stageRequests} requests, from the job rows): ` +
        STAGES.filter((s) => s !== 'total')
          .map((s) => `${s} ${stages[s]} ms`)
          .join(', ') +
        `; total ${stages.total} ms. Of Conveyor's added p50 for a full answer (${round(full.conveyor.addedP50)} ms), the durable round trips Portkey does not make (an insert, two quorum-queue hops, an update, the terminal event's way back; timed alone in this run) take ${floor} ms; the rest is Conveyor's own processing in four processes, at c = 1 CPU-ms per request ${cpuPerRequest.map(([n, ms]) => `${n} ${ms}`).join(', ')} (each hop wakes an idle process; nothing is shared with other jobs, as under load)`;
      const faults = [...results]
        .filter(([, s]) => s.faults.length > 0)
        .map(([n, s]) => `${n}: ${s.faults.length} (${[...new Set(s.faults)].slice(0, 3).join('; ')})`);
      return {
        id: this.id,
        title: this.title,
        metrics: {
          rounds,
          warmup_rounds: warmup,
          ...latencyMetrics('', get('direct'), full.conveyor, full.portkey),
          conveyor_to_direct_p50_ratio: round(full.conveyor.p50 / percentile(get('direct').samples, 50)),
          ...latencyMetrics('ttft_', get('direct-ttft'), ttft.conveyor, ttft.portkey),
          conveyor_to_direct_ttft_p50_ratio: round(ttft.conveyor.p50 / percentile(get('direct-ttft').samples, 50)),
          faults: [...results.values()].reduce((n, s) => n + s.faults.length, 0),
          durable_hops_floor_ms: floor,
          ...Object.fromEntries(cpuPerRequest.map(([name, ms]) => [`c1_cpu_ms_per_request_${name}`, ms])),
        },
        targets: [...latencyTargets('full answer', full.conveyor, full.portkey), ...latencyTargets('time to first token', ttft.conveyor, ttft.portkey)].map(
          (t) => ({ ...t, why }),
        ),
        tables: [
          { title: 'Conveyor at c=1, p50 of each stage', header: ['stage', 'p50 ms'], rows: STAGES.map((s) => [s, stages[s]]) },
          {
            title: "The durable round trips of one completion, each timed alone (p50, this run's PostgreSQL and RabbitMQ)",
            header: ['round trip', 'p50 ms', 'per completion'],
            rows: [...hops.map((h) => [h.name, h.p50Ms, h.perCompletion]), ['floor: the sum over one completion', floor, '']],
          },
        ],
        notes: [
          `Upstream mock pacing "${UPSTREAM_MODEL}" (no wait, 32 tokens at once); ${warmup} warm-up rounds dropped, then ${rounds} rounds of one request per probe, order rotated each round.`,
          'Added = target percentile − direct percentile (same run, same mock). Full answers timed to the last byte; TTFT to the first SSE frame with non-empty delta.content.',
          'Client: node:http, one keep-alive connection per probe, identical code for every target. Conveyor: separate processes over RabbitMQ + PostgreSQL, 1 inference replica, default settings (STREAM_COALESCE_MS 30).',
          `Portkey @portkey-ai/gateway ${portkeyVersion()} (node, --headless, NODE_ENV=production) with x-portkey-provider: openai and x-portkey-custom-host; a preload works around its stream: true crash on this Node (bench/support/portkey.process.ts).`,
          "Portkey's stream transform sleeps 25 ms before it relays the first upstream chunk (a setTimeout in build/start-server.js, its SSE splitter). The bench's copy runs with that wait taken to 0 by the same preload, so its time to first token is forwarding cost only and a fair baseline.",
          ...(faults.length ? [`Faults (dropped from the figures): ${faults.join(' | ')}`] : []),
        ],
      };
    } finally {
      for (const e of endpoints) e.agent.destroy();
      await Promise.allSettled([portkey?.stop(), cluster?.destroy()]);
    }
  },
};

function portkeyVersion(): string {
  try {
    return (JSON.parse(readFileSync(require.resolve('@portkey-ai/gateway/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '(version unknown)';
  }
}
