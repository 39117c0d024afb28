import type { AuditEntry } from './admin-audit-store.port';

export type DeadLetterState = 'dead' | 'replayed' | 'discarded';

/** A dead-lettered job message, as the persistence service took it from its dead-letter queue. */
export interface NewDeadLetter {
  /** The message's id (kept by every dead-lettering path): a redelivered dead letter is recorded once. */
  messageId: string | null;
  jobId: string;
  tenantId: string;
  type: string;
  priority: string;
  /** The queue the message died in. */
  sourceQueue: string | null;
  reason: string;
  /** The message's headers, made JSON (the broker's `x-death` included). */
  headers: Record<string, unknown>;
  /** The message's payload as it was published. */
  payload: unknown;
}

export interface DeadLetterRecord extends NewDeadLetter {
  id: string;
  state: DeadLetterState;
  deadAt: Date;
  settledAt: Date | null;
  /** The job's status now, or null if it has no row. */
  jobStatus: string | null;
}

/**
 * How a replay went: `replayed` (the job was reset to queued and `republish` resolved, both committed), `settled`
 * (already replayed or discarded: nothing done), `job_not_failed` (the job ended otherwise, or has no row).
 */
export type ReplayResult = { outcome: 'replayed' | 'settled' | 'job_not_failed'; letter: DeadLetterRecord } | { outcome: 'not_found' };

export type DiscardResult = { outcome: 'discarded' | 'settled'; letter: DeadLetterRecord } | { outcome: 'not_found' };

/** Dead-lettered job messages, until an admin replays or discards them. */
export interface DeadLetterStore {
  /** Idempotent on the message id. */
  record(letter: NewDeadLetter): Promise<void>;
  /** Newest first; ids are UUIDv7. */
  list(query: { state?: DeadLetterState; limit: number; before?: string }): Promise<DeadLetterRecord[]>;
  find(id: string): Promise<DeadLetterRecord | null>;
  /**
   * Under the letter's row lock: resets its failed job to `queued`, marks the letter replayed, writes the audit entry
   * and calls `republish` (which puts the message back on the broker, confirmed) before the commit. A publish that
   * fails rolls all of it back; a commit that fails after it leaves a message for a still-failed job, which the
   * worker runs and persistence does not apply (a failed job never moves), and the letter can be replayed again.
   */
  replay(id: string, audit: AuditEntry, republish: (letter: DeadLetterRecord) => Promise<void>): Promise<ReplayResult>;
  discard(id: string, audit: AuditEntry): Promise<DiscardResult>;
}

export const DEAD_LETTER_STORE = Symbol('DEAD_LETTER_STORE');
