import { CLUSTER_KEYS } from '../support/cluster.util';
import { procStats } from '../support/proc-stats.util';
import { openSse, reassemble } from '../support/sse-client.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { submitOne } from './load-driver.util';
import { SlowSocket } from './slow-socket.util';

export interface SlowReadersOptions extends CommonOptions {
  slowReaders: number;
  fastReaders: number;
  /** Tokens of the big job the slow readers watch (~25 bytes each). */
  bigTokens: number;
  clientBufferBytes: number;
  drainTimeoutMs: number;
}

const MB = 1024 * 1024;
const BIG_TOKENS_PER_SECOND = 50_000;

/**
 * 6. Slow SSE readers (sockets that never read) watch a big job on one streaming replica, beside fast readers of
 * the same job and of paced jobs. The replica must cut each slow reader at STREAM_CLIENT_BUFFER_BYTES instead of
 * buffering its whole stream (its memory stays far below what that would take), and every fast reader must still
 * get its whole text and the end.
 */
export async function slowReadersScenario(opts: SlowReadersOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_slow_${opts.runId ?? defaultRunId()}`,
    inference: 1,
    // The big job is paced (~1.2 MB/s of text) so that "fast" means what a healthy client does: keep up with the
    // stream. Unpaced, its speed is the worker's, and a reader sharing this process's cores may fall 256 KiB behind.
    paces: { big: `ttft=1500,tps=${BIG_TOKENS_PER_SECOND},tokens=${opts.bigTokens}`, paced: 'ttft=200,tps=40,tokens=40' },
    env: { STREAM_CLIENT_BUFFER_BYTES: String(opts.clientBufferBytes), STREAM_COALESCE_CHARS: '16384' },
    inferenceEnv: { WORKER_CONCURRENCY: String(opts.fastReaders + 2) },
    notification: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('slow');
  const streaming = chaos.cluster.services.find((s) => s.name === 'streaming')!;
  const slow: SlowSocket[] = [];
  try {
    const rss = async () => (await procStats(streaming.child.pid!))?.rssBytes ?? 0;
    const baseline = await rss();
    await submitOne(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'big' });
    for (let i = 0; i < opts.fastReaders; i++) await submitOne(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced' });
    const big = ledger.accepted[0]!;
    const keyOf = (tenant: string) => (tenant === 'tenant-alice' ? CLUSTER_KEYS.alice : CLUSTER_KEYS.bob);
    for (let i = 0; i < opts.slowReaders; i++) slow.push(await SlowSocket.open(chaos.cluster.streamingUrl, `/v1/jobs/${big.jobId}/stream`, keyOf(big.tenant)));
    // Fast readers: one of the big job itself, and one per paced job, all on the same replica.
    const fast = await Promise.all(
      ledger.accepted.map((e) => openSse(`${chaos.cluster.streamingUrl}/v1/jobs/${e.jobId}/stream`, { authorization: `Bearer ${keyOf(e.tenant)}` })),
    );
    progress(`${opts.slowReaders} slow readers on a ${opts.bigTokens}-token job, ${fast.length} fast readers`);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rss());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const fastDone = await Promise.race([
      Promise.all(fast.map((s) => s.done)).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), opts.drainTimeoutMs).unref()),
    ]);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    sampling = false;
    await sampler;
    const { rows } = await db.query<{ id: string; content: string | null }>(
      `SELECT id, result->'message'->>'content' AS content FROM jobs WHERE id = ANY($1::uuid[])`,
      [ledger.jobIds],
    );
    const stored = new Map(rows.map((r) => [r.id, r.content ?? '']));
    const fastOk = fast.filter((s, i) => reassemble(s.events) === stored.get(ledger.accepted[i]!.jobId) && s.events.at(-1)?.event === 'completed').length;
    const bigBytes = stored.get(big.jobId)!.length;
    const drained = await Promise.all(slow.map((s) => s.drain(10_000)));
    const cut = drained.filter((d) => d.closedByServer && !d.text.includes('event: completed')).length;
    const maxHeld = drained.reduce((m, d) => Math.max(m, d.bytes), 0);
    const growth = peak - baseline;
    // What buffering each slow reader's whole stream would take (the text alone, before SSE framing).
    const unbounded = opts.slowReaders * bigBytes;
    return resultOf(
      'slow-readers',
      `${opts.slowReaders} slow SSE readers (never read) beside ${fast.length} fast readers on one streaming replica`,
      startedAt,
      {
        ...auditFigures(audit),
        slow_readers: opts.slowReaders,
        fast_readers: fast.length,
        big_job_bytes: bigBytes,
        client_buffer_bytes: opts.clientBufferBytes,
        slow_readers_cut: cut,
        max_bytes_queued_for_a_slow_reader: maxHeld,
        streaming_rss_baseline_mb: Math.round(baseline / MB),
        streaming_rss_peak_mb: Math.round(peak / MB),
        streaming_rss_growth_mb: Math.round(growth / MB),
        unbounded_buffering_would_need_mb: Math.round(unbounded / MB),
        fast_readers_complete: fastOk,
      },
      [
        check('every slow reader cut off before the end', cut === opts.slowReaders, `${cut} of ${opts.slowReaders}`),
        check('a slow reader never got the whole stream', maxHeld < bigBytes, `${maxHeld} of ${bigBytes} bytes at most`),
        check(
          'streaming memory far below buffering every slow reader',
          growth < unbounded / 2,
          `+${Math.round(growth / MB)} MB vs ${Math.round(unbounded / MB)} MB unbounded`,
        ),
        check('fast readers complete and byte-identical', fastDone && fastOk === fast.length, `${fastOk} of ${fast.length}`),
        check('0 lost', audit.lost === 0, audit.lost),
      ],
      audit.details,
    );
  } finally {
    for (const s of slow) s.destroy();
    await db.end();
    await chaos.close();
  }
}
