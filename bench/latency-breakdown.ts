import { Cluster } from '../test/support/cluster.util';
import { latencyStages, STAGES } from './support/latency-stages.util';
import { MOCK_KEY_ENV, mockCatalog } from './support/mock-catalog.util';
import { writeToolReport } from './support/report.util';
import { BenchUpstream } from './upstream/mock-upstream.server';

/**
 * `npx tsx bench/latency-breakdown.ts [requests]`: where one synchronous completion's time goes at concurrency 1.
 * Sends requests to `/openai/v1/chat/completions` on a fresh cluster (zero-latency upstream) and splits each by
 * the job row's own timestamps: client → row created (HTTP, auth, validation), created → started (insert, bind,
 * publish + confirm, doorbell, the worker's gets and status read), started → completed (the provider call, as
 * the worker saw it), completed → answer (the event's way back to the gateway, the response). The row's times
 * have millisecond resolution, so read the stages as ±1 ms. Writes bench/report.latency-breakdown.md.
 */
async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 300);
  const warmup = 50;
  const upstream = await BenchUpstream.start();
  const cluster = await Cluster.start({
    name: `breakdown_${process.pid}`,
    inference: 1,
    env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
    catalog: mockCatalog(upstream.url, 'tokens=32'),
  });
  try {
    await latencyStages(cluster, warmup);
    const p50 = await latencyStages(cluster, requests);
    const table = [`| stage (${requests} requests, c=1) | p50 ms |`, '|---|---|', ...STAGES.map((name) => `| ${name} | ${p50[name]} |`)];
    console.log(table.join('\n'));
    console.log(`wrote ${await writeToolReport('latency-breakdown', 'Where one synchronous completion spends its time (c=1)', table)}`);
  } finally {
    await cluster.destroy();
    await upstream.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
