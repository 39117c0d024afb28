import { readStamps, sequenceFault } from '../../bench/upstream/token-stamp.util';
import { CLUSTER_KEYS } from '../support/cluster.util';
import { auditFigures, auditJobs, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { logTail } from './service-logs.util';
import { submitOne } from './load-driver.util';
import { readWithCuts, type ResumedStream } from './resumable-reader.util';

export interface StreamResumeOptions extends CommonOptions {
  streams: number;
  /** Tokens per job (the bench upstream's stamped tokens, at 40 tokens/s). */
  tokens: number;
  maxCuts: number;
  drainTimeoutMs: number;
}

/**
 * 5. N SSE streams (one per job) cut at random points and resumed with Last-Event-ID: each client's text must be
 * byte-identical to the stored result, every delta must continue exactly where the client's text ended (0 gaps,
 * 0 repeats), and the upstream's stamped tokens must arrive whole and in order.
 */
export async function streamResumeScenario(opts: StreamResumeOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_resume_${opts.runId ?? defaultRunId()}`,
    inference: 2,
    paces: { paced: `ttft=100,tps=40,tokens=${opts.tokens}` },
    inferenceEnv: { WORKER_CONCURRENCY: String(Math.ceil(opts.streams / 2)) },
    notification: false,
  });
  const db = await openDatabase(chaos.databaseUrl);
  const ledger = new Ledger('resume');
  try {
    for (let i = 0; i < opts.streams; i++) await submitOne(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced' });
    progress(`${ledger.accepted.length} jobs accepted; reading ${ledger.accepted.length} streams with up to ${opts.maxCuts} cuts each`);
    const keyOf = (tenant: string) => (tenant === 'tenant-alice' ? CLUSTER_KEYS.alice : CLUSTER_KEYS.bob);
    const reads: ResumedStream[] = await Promise.all(
      ledger.accepted.map((e) => readWithCuts(`${chaos.cluster.streamingUrl}/v1/jobs/${e.jobId}/stream`, { authorization: `Bearer ${keyOf(e.tenant)}` }, opts.maxCuts, Math.max(2, Math.floor(opts.tokens / 2)))),
    );
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const { rows } = await db.query<{ id: string; content: string | null }>(`SELECT id, result->'message'->>'content' AS content FROM jobs WHERE id = ANY($1::uuid[])`, [ledger.jobIds]);
    const stored = new Map(rows.map((r) => [r.id, r.content]));
    const details: string[] = [];
    let identical = 0;
    let tokenFaults = 0;
    reads.forEach((r, i) => {
      const id = ledger.accepted[i]!.jobId;
      if (r.text === stored.get(id) && r.ended === 'completed') identical++;
      else if (details.length < 5) details.push(`job ${id}: ${r.text.length} characters streamed, ${stored.get(id)?.length ?? 'no'} stored, ended ${r.ended} (${r.detail ?? ''})`);
      const fault = sequenceFault(readStamps(r.text).tokens.map((t) => t.seq), opts.tokens);
      if (fault) {
        tokenFaults++;
        if (details.length < 8) details.push(`job ${id}: ${fault}`);
      }
      if (r.detail && details.length < 8) details.push(`job ${id}: ${r.detail}`);
    });
    const gaps = reads.reduce((n, r) => n + r.gaps, 0);
    const resumes = reads.reduce((n, r) => n + r.connections - 1, 0);
    return resultOf(
      'stream-resume',
      `${opts.streams} SSE streams cut at random points and resumed with Last-Event-ID`,
      startedAt,
      {
        ...auditFigures(audit),
        streams: reads.length,
        resumes,
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
        check('streams were actually cut and resumed', resumes > 0, `${resumes} resumes`),
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
