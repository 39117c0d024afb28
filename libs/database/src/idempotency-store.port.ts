/** Where an Idempotency-Key is kept: per tenant and route, so two routes or two tenants never share one. */
export interface IdempotencyScope {
  tenantId: string;
  route: string;
  key: string;
}

/** A key's record as another request finds it. */
export interface IdempotencyRecord {
  /** SHA-256 of the request the key was first used with. */
  fingerprint: string;
  /** The job the first request submits (or submitted). */
  jobId: string;
  /** `pending` while the first request runs (it holds a lease); `done` once its answer is known. */
  state: 'pending' | 'done';
  /** The lease of a pending record has run out: the request holding it ended without an answer, or its replica died. */
  leaseExpired: boolean;
  /** The stored answer, as the gateway serialised it; null for a done record replayed from its job (a stream). */
  response: string | null;
}

/** A claim on a key: taken by the request that will submit, identified by `owner` in every later call. */
export interface IdempotencyClaim {
  scope: IdempotencyScope;
  owner: string;
  jobId: string;
}

/** Idempotency keys (Stripe's semantics) in PostgreSQL, kept until `ttlMs` after their first use. */
export interface IdempotencyStore {
  /** Takes the key for a first request, or answers the record that already holds it (a key past its TTL counts as free). */
  claim(
    claim: IdempotencyClaim,
    fingerprint: string,
    leaseMs: number,
    ttlMs: number,
  ): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord | null }>;
  /** Takes over a record whose first request ended without an answer (an expired lease, or a job that is gone): false if another request did first. */
  takeOver(claim: IdempotencyClaim, previousJobId: string, leaseMs: number): Promise<boolean>;
  /** Extends the lease while the first request still runs; false once the claim is no longer this owner's. */
  renew(claim: IdempotencyClaim, leaseMs: number): Promise<boolean>;
  /** Records the answer (null: replay from the job): later requests with the key get it. */
  complete(claim: IdempotencyClaim, response: string | null): Promise<void>;
  /** Ends the lease now: the request failed, and the next one decides from the job's row whether anything was accepted. */
  expire(claim: IdempotencyClaim): Promise<void>;
  /** Deletes the claim: the request was refused before anything was written. */
  release(claim: IdempotencyClaim): Promise<void>;
  /** Deletes keys past their TTL; answers how many. */
  sweepExpired(): Promise<number>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
