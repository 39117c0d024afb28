import { readStamps, sequenceFault } from '../../bench/upstream/token-stamp.util';
import { CLUSTER_KEYS } from '../support/cluster.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { logTail } from './service-logs.util';
import { submitOne } from './load-driver.util';
import { readWithCuts, type ResumedStream, type StreamCut } from './resumable-reader.util';

export interface StreamResumeOptions extends CommonOptions {
  streams: number;
  /** Tokens per job (the bench upstream's stamped tokens, at 10 tokens/s: each job streams for tokens / 10 s). */
  tokens: number;
  /** The share of the streams cut mid-text: the first round(streams × cutFraction) submitted; the others are read straight through. */
  cutFraction: number;
  /** Cuts per cut stream: 1 to maxCuts, each at a random token count strictly inside the text. */
  maxCuts: number;
  /** Streaming replicas started (the gateway serves streams too, so clients resume across replicas + 1). */
  streamingReplicas: number;
  drainTimeoutMs: number;
}

/** 1 to maxCuts distinct token counts in [1, tokens / 2], ascending: where a stream is cut, always well before its end. */
export function cutPoints(tokens: number, maxCuts: number): number[] {
  const top = Math.max(1, Math.floor(tokens / 2));
  const want = Math.min(top, 1 + Math.floor(Math.random() * maxCuts));
  const points = new Set<number>();
  while (points.size < want) points.add(1 + Math.floor(Math.random() * top));
  return [...points].sort((a, b) => a - b);
}

/**
 * 5. N SSE streams (one per job), each opened as its job is accepted. A chosen share of them is cut mid-text on
 * that live connection (each counted: the client held part of the text, on a connection opened before the job's
 * stored completion time), then resumed with Last-Event-ID on a random other replica, and maybe cut again. Every
 * client's text must be byte-identical to the stored result, every delta must continue exactly where the client's
 * text ended (0 gaps, 0 repeats), and the upstream's stamped tokens must arrive whole and in order.
 */
export async function streamResumeScenario(opts: StreamResumeOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_resume_${opts.runId ?? defaultRunId()}`,
    inference: 2,
    paces: { paced: `ttft=200,tps=10,tokens=${opts.tokens}` },
    inferenceEnv: { WORKER_CONCURRENCY: String(Math.ceil(opts.streams / 2)) },
    notification: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('resume');
  try {
    const replicas = [chaos.cluster.gatewayUrl, chaos.cluster.streamingUrl];
    for (let i = 1; i < opts.streamingReplicas; i++) replicas.push(await chaos.cluster.addStreaming());
    const toCut = Math.round(opts.streams * opts.cutFraction);
    const keyOf = (tenant: string) => (tenant === 'tenant-alice' ? CLUSTER_KEYS.alice : CLUSTER_KEYS.bob);
    progress(`${opts.streams} streams over ${replicas.length} replicas, ${toCut} of them cut mid-text up to ${opts.maxCuts} times`);
    const planned: number[][] = [];
    const reading: Promise<ResumedStream>[] = [];
    for (let i = 0; i < opts.streams; i++) {
      if ((await submitOne(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced' })) !== 'accepted') continue;
      const e = ledger.accepted.at(-1)!;
      const cuts = planned.length < toCut ? cutPoints(opts.tokens, opts.maxCuts) : [];
      planned.push(cuts);
      reading.push(readWithCuts(replicas, `/v1/jobs/${e.jobId}/stream`, { authorization: `Bearer ${keyOf(e.tenant)}` }, cuts));
    }
    const reads = await Promise.all(reading);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const { rows } = await db.query<{ id: string; content: string | null; completed_ms: number | null }>(
      `SELECT id, result->'message'->>'content' AS content, (extract(epoch FROM completed_at) * 1000)::float8 AS completed_ms FROM jobs WHERE id = ANY($1::uuid[])`,
      [ledger.jobIds],
    );
    const stored = new Map(rows.map((r) => [r.id, r.content]));
    const completedAt = new Map(rows.map((r) => [r.id, r.completed_ms]));
    const details: string[] = [];
    let identical = 0;
    let tokenFaults = 0;
    reads.forEach((r, i) => {
      const id = ledger.accepted[i]!.jobId;
      if (r.text === stored.get(id) && r.ended === 'completed') identical++;
      else if (details.length < 5)
        details.push(`job ${id}: ${r.text.length} characters streamed, ${stored.get(id)?.length ?? 'no'} stored, ended ${r.ended} (${r.detail ?? ''})`);
      const fault = sequenceFault(
        readStamps(r.text).tokens.map((t) => t.seq),
        opts.tokens,
      );
      if (fault) {
        tokenFaults++;
        if (details.length < 8) details.push(`job ${id}: ${fault}`);
      }
      if (r.detail && details.length < 8) details.push(`job ${id}: ${r.detail}`);
    });
    const gaps = reads.reduce((n, r) => n + r.gaps, 0);
    const resumes = reads.reduce((n, r) => n + r.connections - 1, 0);
    const cutsPlanned = planned.reduce((n, c) => n + c.length, 0);
    const cutsMade = reads.reduce((n, r) => n + r.cuts.length, 0);
    // A stream is cut live when its connection opened before the job completed and the client held part of the
    // text. Later cuts of one stream may fall in the catch-up replay after the job ended: counted, not required live.
    let streamsCutLive = 0;
    let cutsMidText = 0;
    let cutsBeforeJobEnd = 0;
    reads.forEach((r, i) => {
      const id = ledger.accepted[i]!.jobId;
      const done = completedAt.get(id) ?? null;
      const midText = (cut: StreamCut) => cut.tokensHeld < opts.tokens;
      cutsMidText += r.cuts.filter(midText).length;
      cutsBeforeJobEnd += r.cuts.filter((c) => done !== null && c.at < done).length;
      const first = r.cuts[0];
      if (first && midText(first) && done !== null && first.openedAt < done) streamsCutLive++;
      else if (first && details.length < 10)
        details.push(
          `job ${id}: first cut with ${first.tokensHeld} of ${opts.tokens} tokens held on a connection opened ${done === null ? 'with no completion stored' : `${first.openedAt - done} ms after the job completed`}`,
        );
      if (r.cuts.length < planned[i]!.length && details.length < 10)
        details.push(`job ${id}: ${r.cuts.length} of ${planned[i]!.length} planned cuts made (at ${planned[i]!.join(', ')} tokens)`);
    });
    const replicaMoves = reads.reduce((n, r) => n + r.replicaMoves, 0);
    return resultOf(
      'stream-resume',
      `${opts.streams} live SSE streams, ${toCut} cut mid-text and resumed with Last-Event-ID on another of ${replicas.length} replicas`,
      startedAt,
      {
        ...auditFigures(audit),
        streams: reads.length,
        replicas: replicas.length,
        streams_cut: reads.filter((r) => r.cuts.length > 0).length,
        streams_chosen_for_cuts: planned.filter((c) => c.length > 0).length,
        streams_cut_live: streamsCutLive,
        cuts_planned: cutsPlanned,
        cuts_made: cutsMade,
        cuts_mid_text: cutsMidText,
        cuts_before_job_completed: cutsBeforeJobEnd,
        resumes,
        resumes_on_another_replica: replicaMoves,
        streams_resumed: reads.filter((r) => r.connections > 1).length,
        byte_identical: identical,
        gaps,
        token_faults: tokenFaults,
        restarts: reads.reduce((n, r) => n + r.restarts, 0),
      },
      [
        check('every stream byte-identical to the stored result', identical === reads.length, `${identical} of ${reads.length}`),
        check('0 gaps or repeats across resumes', gaps === 0, gaps),
        check('stamped tokens whole and in order', tokenFaults === 0, `${tokenFaults} faulty`),
        check('every stream accepted', ledger.accepted.length === opts.streams, `${ledger.accepted.length} of ${opts.streams}`),
        check(
          `${toCut} live streams cut mid-text`,
          planned.filter((c) => c.length > 0).length === toCut && streamsCutLive === toCut,
          `${streamsCutLive} of ${toCut}`,
        ),
        check('every planned cut made', cutsMade === cutsPlanned, `${cutsMade} of ${cutsPlanned} (${cutsMidText} mid-text)`),
        check('every cut resumed, each on another replica', replicaMoves === cutsMade && resumes === cutsMade, `${replicaMoves} moves, ${resumes} resumes`),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
      ],
      [...details, ...audit.details, ...(identical === reads.length ? [] : logTail(chaos, 'streaming'))],
    );
  } finally {
    await db.end();
    await chaos.close();
  }
}
