import { Client } from 'pg';
import type { Ledger } from './ledger.util';
import type { ProgressFn } from './chaos.types';

/** What the audit found for one scenario's ledger, after the system had a bounded time to drain. */
export interface JobAudit {
  accepted: number;
  terminal: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Accepted (202) with no terminal state after the drain wait; a job whose row vanished counts too. */
  lost: number;
  /** Jobs whose terminal state or result was written more than once, whose usage was counted more than once, or
   *  whose submission produced more than one job row. */
  duplicated: number;
  /** Completed jobs without a usage record. */
  usageMissing: number;
  /** Refused submissions (503) that left a job row or reached the provider anyway. */
  phantoms: number;
  /** Provider calls, from the upstream's per-marker counts (null when the scenario has no bench upstream). */
  providerCalls: number | null;
  providerCallsMax: number | null;
  /** Jobs the provider saw more than once (a redelivery after a crash, a retry). */
  jobsCalledMoreThanOnce: number | null;
  /** Completed jobs whose marker the provider never saw: a result that came from nowhere. */
  completedWithoutCall: number | null;
  drainMs: number;
  details: string[];
}

export interface AuditOptions {
  databaseUrl: string;
  ledger: Ledger;
  upstreamUrl?: string;
  /** How long the system may take to bring every accepted job to a terminal state. */
  drainTimeoutMs: number;
  progress?: ProgressFn;
}

const TERMINAL = `status IN ('completed', 'failed', 'cancelled')`;

/** How many of `ids` are terminal right now. */
export async function countTerminal(client: Client, ids: string[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE id = ANY($1::uuid[]) AND ${TERMINAL}`, [ids]);
  return Number(rows[0]!.n);
}

/** A connected client on a cluster's database (straight, never through a scenario's proxy). */
export async function openDatabase(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Polls PostgreSQL until every accepted job is terminal or the deadline passes; answers how many are. */
export async function waitForTerminal(client: Client, ids: string[], timeoutMs: number, progress?: ProgressFn): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const terminal = await countTerminal(client, ids);
    if (terminal >= ids.length || Date.now() > deadline) return terminal;
    if (progress && Date.now() - lastReport > 2_000) {
      lastReport = Date.now();
      progress(`draining: ${terminal} of ${ids.length} accepted jobs terminal`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** How long a refused submission's stray row may take to be removed by the gateway (see auditJobs). */
const PHANTOM_GRACE_MS = 20_000;

/**
 * The end-of-scenario audit, straight from PostgreSQL (not through any proxy the scenario cut): lost, duplicated,
 * usage and phantom figures for the ledger, plus provider calls per job from the bench upstream.
 */
export async function auditJobs(opts: AuditOptions): Promise<JobAudit> {
  const { ledger } = opts;
  const ids = ledger.jobIds;
  const client = new Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    const t0 = Date.now();
    await waitForTerminal(client, ids, opts.drainTimeoutMs, opts.progress);
    const drainMs = Date.now() - t0;
    const { rows: jobs } = await client.query<{ id: string; status: string }>(`SELECT id, status FROM jobs WHERE id = ANY($1::uuid[])`, [ids]);
    const statusOf = new Map(jobs.map((j) => [j.id, j.status]));
    const count = (s: string) => jobs.filter((j) => j.status === s).length;
    const lostIds = ids.filter((id) => !['completed', 'failed', 'cancelled'].includes(statusOf.get(id) ?? 'missing'));
    const details = lostIds.slice(0, 5).map((id) => `lost: job ${id} is ${statusOf.get(id) ?? 'missing'}`);
    // Ended, but not completed: what a scenario that expects every job to complete shows as the reason it did not.
    const { rows: unfinished } = await client.query<{ id: string; status: string; error: { code?: string; message?: string } | null }>(
      `SELECT id, status, error FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('failed', 'cancelled') LIMIT 3`,
      [ids],
    );
    for (const j of unfinished) details.push(`not completed: job ${j.id} ${j.status} (${j.error?.code ?? '-'}: ${(j.error?.message ?? '').slice(0, 160)})`);

    const markers = ledger.accepted.map((e) => e.marker);
    const dupIds = new Set<string>();
    const many = async (sql: string, params: unknown[], label: string) => {
      const { rows } = await client.query<{ key: string; n: string }>(sql, params);
      for (const r of rows) {
        dupIds.add(r.key);
        if (details.length < 12) details.push(`duplicated: ${label} ${r.key} × ${r.n}`);
      }
    };
    await many(
      `SELECT job_id AS key, count(*) AS n FROM chaos_terminal_writes WHERE job_id = ANY($1::uuid[]) GROUP BY job_id HAVING count(*) > 1`,
      [ids],
      'terminal write of job',
    );
    await many(
      `SELECT job_id AS key, count(*) AS n FROM chaos_usage_writes WHERE job_id = ANY($1::uuid[]) GROUP BY job_id HAVING count(*) > 1`,
      [ids],
      'usage record of job',
    );
    await many(
      `SELECT messages->0->>'content' AS key, count(*) AS n FROM jobs WHERE messages->0->>'content' = ANY($1::text[]) GROUP BY 1 HAVING count(*) > 1`,
      [markers],
      'job rows for marker',
    );

    const { rows: noUsage } = await client.query<{ id: string }>(
      `SELECT j.id FROM jobs j LEFT JOIN usage_records u ON u.job_id = j.id WHERE j.id = ANY($1::uuid[]) AND j.status = 'completed' AND u.job_id IS NULL`,
      [ids],
    );
    for (const r of noUsage.slice(0, 3)) details.push(`usage missing: completed job ${r.id}`);

    // A refused submission whose INSERT committed anyway (its connection broke mid-commit) is removed by the
    // gateway in the background once the database answers again (UnacceptedJobsReaper): a phantom is a row still
    // there after PHANTOM_GRACE_MS.
    const refused = ledger.refusedMarkers;
    const phantomsNow = () =>
      client.query<{ marker: string; id: string; status: string }>(
        `SELECT messages->0->>'content' AS marker, id, status FROM jobs WHERE messages->0->>'content' = ANY($1::text[])`,
        [refused],
      );
    let { rows: phantomRows } = await phantomsNow();
    for (const until = Date.now() + PHANTOM_GRACE_MS; phantomRows.length > 0 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 250));
      ({ rows: phantomRows } = await phantomsNow());
    }
    const phantom = new Set(phantomRows.map((r) => r.marker));
    for (const r of phantomRows.slice(0, 3)) details.push(`phantom: refused submission ${r.marker} left job ${r.id} (${r.status})`);

    const calls = opts.upstreamUrl ? await providerCalls(opts.upstreamUrl) : null;
    let providerCallsTotal: number | null = null;
    let callsMax: number | null = null;
    let calledTwice: number | null = null;
    let completedWithoutCall: number | null = null;
    if (calls) {
      const per = ledger.accepted.map((e) => calls[e.marker] ?? 0);
      providerCallsTotal = per.reduce((a, b) => a + b, 0);
      callsMax = per.reduce((a, b) => Math.max(a, b), 0);
      calledTwice = per.filter((n) => n > 1).length;
      completedWithoutCall = ledger.accepted.filter((e) => statusOf.get(e.jobId) === 'completed' && !calls[e.marker]).length;
      for (const m of refused.filter((m) => calls[m])) {
        if (details.length < 15) details.push(`phantom: refused submission ${m} reached the provider ${calls[m]} time(s)`);
        phantom.add(m);
      }
    }

    return {
      accepted: ids.length,
      terminal: ids.length - lostIds.length,
      completed: count('completed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      lost: lostIds.length,
      duplicated: dupIds.size,
      usageMissing: noUsage.length,
      phantoms: phantom.size,
      providerCalls: providerCallsTotal,
      providerCallsMax: callsMax,
      jobsCalledMoreThanOnce: calledTwice,
      completedWithoutCall,
      drainMs,
      details,
    };
  } finally {
    await client.end();
  }
}

/** The bench upstream's calls per marker (`GET /stats`). */
export async function providerCalls(upstreamUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${upstreamUrl}/stats`);
  return ((await res.json()) as { by_marker: Record<string, number> }).by_marker;
}

/** Each provider call of one marker, as the bench upstream saw it (`GET /stats/calls`). */
export async function providerCallsOf(upstreamUrl: string, marker: string): Promise<Array<{ at: string; ms: number | null; answered: boolean | null }>> {
  const res = await fetch(`${upstreamUrl}/stats/calls?marker=${encodeURIComponent(marker)}`);
  return ((await res.json()) as { calls: Array<{ at: string; ms: number | null; answered: boolean | null }> }).calls;
}

/** The audit's figures as report figures (details left out: they go to the result's details). */
export function auditFigures(a: JobAudit): Record<string, number | null> {
  const { details: _details, ...figures } = a;
  return figures;
}
