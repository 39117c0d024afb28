import { Client } from 'pg';
import { CLUSTER_KEYS, Cluster } from '../test/support/cluster.util';
import { MOCK_KEY_ENV, mockCatalog } from './support/mock-catalog.util';
import { percentile } from './support/stats.util';
import { BenchUpstream } from './upstream/mock-upstream.server';

/**
 * `npx tsx bench/latency-breakdown.ts [requests]`: where one synchronous completion's time goes at concurrency 1.
 * Sends requests to `/openai/v1/chat/completions` on a fresh cluster (zero-latency upstream) and splits each by
 * the job row's own timestamps: client → row created (HTTP, auth, validation), created → started (insert, bind,
 * publish + confirm, doorbell, the worker's gets and status read), started → completed (the provider call, as
 * the worker saw it), completed → answer (the event's way back to the gateway, the response). The row's times
 * have millisecond resolution, so read the stages as ±1 ms.
 */
async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 300);
  const warmup = 50;
  const upstream = await BenchUpstream.start();
  const cluster = await Cluster.start({ name: `breakdown_${process.pid}`, inference: 1, env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV }, catalog: mockCatalog(upstream.url, 'tokens=32') });
  const db = new Client({ connectionString: cluster.directDatabaseUrl });
  await db.connect();
  try {
    const timed: Array<{ id: string; sentAt: number; answeredAt: number }> = [];
    for (let i = 0; i < warmup + requests; i++) {
      const sentAt = Date.now();
      const res = await fetch(`${cluster.gatewayUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: `breakdown ${i}` }] }),
      });
      await res.text();
      if (i >= warmup) timed.push({ id: res.headers.get('x-conveyor-job-id')!, sentAt, answeredAt: Date.now() });
      if (i % 100 === 0) process.stderr.write(`${i} of ${warmup + requests} requests\n`);
    }
    const stages: Record<string, number[]> = { 'client → row created': [], 'created → started': [], 'started → completed': [], 'completed → answer': [], 'provider call (worker)': [], total: [] };
    for (const t of timed) {
      const { rows } = await db.query<{ created_at: Date; started_at: Date; completed_at: Date; attempts_log: Array<{ latency_ms: number }> }>(
        'SELECT created_at, started_at, completed_at, attempts_log FROM jobs WHERE id = $1',
        [t.id],
      );
      const job = rows[0]!;
      stages['client → row created']!.push(+job.created_at - t.sentAt);
      stages['created → started']!.push(+job.started_at - +job.created_at);
      stages['started → completed']!.push(+job.completed_at - +job.started_at);
      stages['completed → answer']!.push(t.answeredAt - +job.completed_at);
      stages['provider call (worker)']!.push(job.attempts_log[0]!.latency_ms);
      stages.total!.push(t.answeredAt - t.sentAt);
    }
    console.log(`| stage (${requests} requests, c=1) | p50 ms | p90 ms |\n|---|---|---|`);
    for (const [name, values] of Object.entries(stages)) console.log(`| ${name} | ${percentile(values, 50)} | ${percentile(values, 90)} |`);
  } finally {
    await db.end();
    await cluster.destroy();
    await upstream.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
