import { uuidv7 } from '@conveyor/contracts';
import type { AuditEntry } from './admin-audit-store.port';
import { insertAudit } from './admin-audit.sql';
import type { DeadLetterRecord, DeadLetterState, DeadLetterStore, DiscardResult, NewDeadLetter, ReplayResult } from './dead-letter-store.port';
import type { PostgresClient, SqlExecutor } from './postgres.client';

interface DeadLetterRow {
  id: string;
  message_id: string | null;
  job_id: string;
  tenant_id: string;
  type: string;
  priority: string;
  source_queue: string | null;
  reason: string;
  headers: Record<string, unknown>;
  payload: unknown;
  state: DeadLetterState;
  dead_at: Date;
  settled_at: Date | null;
  job_status: string | null;
}

const COLUMNS = `d.id, d.message_id, d.job_id, d.tenant_id, d.type, d.priority, d.source_queue, d.reason, d.headers, d.payload,
  d.state, d.dead_at, d.settled_at, (SELECT j.status FROM jobs j WHERE j.id = d.job_id) AS job_status`;

const toRecord = (r: DeadLetterRow): DeadLetterRecord => ({
  id: r.id,
  messageId: r.message_id,
  jobId: r.job_id,
  tenantId: r.tenant_id,
  type: r.type,
  priority: r.priority,
  sourceQueue: r.source_queue,
  reason: r.reason,
  headers: r.headers,
  payload: r.payload,
  state: r.state,
  deadAt: r.dead_at,
  settledAt: r.settled_at,
  jobStatus: r.job_status,
});

/**
 * A failed job made runnable again, as if just accepted: what its failure wrote is cleared, its starts too (the
 * crash-loop limit counts them), so the replayed message runs as a first delivery. Only a failed job moves.
 */
const RESET_FAILED_JOB = `
  UPDATE jobs SET status = 'queued', error = NULL, failed_at = NULL, started_at = NULL, worker_id = NULL,
    partial_result = NULL, starts = 0, updated_at = now()
  WHERE id = $1 AND status = 'failed'`;

/** DeadLetterStore on PostgreSQL (`dead_letters`); replay and discard write their audit entry in the same transaction. */
export class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(private readonly db: PostgresClient) {}

  async record(letter: NewDeadLetter): Promise<void> {
    await this.db.count(
      `INSERT INTO dead_letters (id, message_id, job_id, tenant_id, type, priority, source_queue, reason, headers, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)
       ON CONFLICT (message_id) DO NOTHING`,
      [
        uuidv7(),
        letter.messageId,
        letter.jobId,
        letter.tenantId,
        letter.type,
        letter.priority,
        letter.sourceQueue,
        letter.reason,
        JSON.stringify(letter.headers),
        JSON.stringify(letter.payload),
      ],
    );
  }

  async list(query: { state?: DeadLetterState; limit: number; before?: string }): Promise<DeadLetterRecord[]> {
    const rows = await this.db.rows<DeadLetterRow>(
      `SELECT ${COLUMNS} FROM dead_letters d
       WHERE ($1::text IS NULL OR d.state = $1) AND ($2::uuid IS NULL OR d.id < $2::uuid)
       ORDER BY d.id DESC LIMIT $3`,
      [query.state ?? null, query.before ?? null, query.limit],
    );
    return rows.map(toRecord);
  }

  find(id: string): Promise<DeadLetterRecord | null> {
    return this.letter(this.db, id, false);
  }

  replay(id: string, audit: AuditEntry, republish: (letter: DeadLetterRecord) => Promise<void>): Promise<ReplayResult> {
    return this.db.transaction(async (tx): Promise<ReplayResult> => {
      const letter = await this.letter(tx, id, true);
      if (!letter) return { outcome: 'not_found' };
      if (letter.state !== 'dead') return { outcome: 'settled', letter };
      if ((await tx.count(RESET_FAILED_JOB, [letter.jobId])) === 0) return { outcome: 'job_not_failed', letter };
      await tx.count(`UPDATE dead_letters SET state = 'replayed', settled_at = now(), settled_by = $2 WHERE id = $1`, [id, audit.adminId]);
      await insertAudit(tx, audit);
      const replayed = (await this.letter(tx, id, false))!;
      await republish(replayed);
      return { outcome: 'replayed', letter: replayed };
    });
  }

  discard(id: string, audit: AuditEntry): Promise<DiscardResult> {
    return this.db.transaction(async (tx): Promise<DiscardResult> => {
      const letter = await this.letter(tx, id, true);
      if (!letter) return { outcome: 'not_found' };
      if (letter.state !== 'dead') return { outcome: 'settled', letter };
      await tx.count(`UPDATE dead_letters SET state = 'discarded', settled_at = now(), settled_by = $2 WHERE id = $1`, [id, audit.adminId]);
      await insertAudit(tx, audit);
      return { outcome: 'discarded', letter: (await this.letter(tx, id, false))! };
    });
  }

  /**
   * With `lock`, the row lock is taken by a statement of its own before the read: a read that waited for the lock
   * sees the row as committed, but its other columns (the job's status) as of when it began waiting.
   */
  private async letter(db: SqlExecutor, id: string, lock: boolean): Promise<DeadLetterRecord | null> {
    if (lock && (await db.count('SELECT 1 FROM dead_letters WHERE id = $1 FOR UPDATE', [id])) === 0) return null;
    const [row] = await db.rows<DeadLetterRow>(`SELECT ${COLUMNS} FROM dead_letters d WHERE d.id = $1`, [id]);
    return row ? toRecord(row) : null;
  }
}
