/** One bucket a request must take from: its size, how fast it refills, and what this request costs. */
export interface BucketDemand {
  /** Names the limit: `rpm:tenant:<id>`, `tpm:key:<hash>`, … */
  key: string;
  capacity: number;
  perSecond: number;
  cost: number;
}

/** A bucket as the check found it: its level after the refill, before this request's cost. */
export interface BucketLevel {
  key: string;
  level: number;
}

/** The tokens a job is charged on its tokens-per-minute buckets, settled against its real usage when it ends. */
export interface TokenReservation {
  jobId: string;
  tenantId: string;
  bucketKeys: string[];
  estimatedTokens: number;
}

export interface BucketCheck {
  /** Every bucket had room for its cost, and each was charged; otherwise none was. */
  admitted: boolean;
  levels: BucketLevel[];
}

/**
 * Token buckets shared by every gateway replica (rate limits). The arithmetic is the database's, on the database's
 * clock, so replicas never disagree on time.
 */
export interface RateBucketStore {
  /**
   * Refills each bucket for the time since its last check and, if every one holds at least its cost, charges them
   * all (and records `reservation`, if any): one statement, all or nothing, exact under any concurrency.
   */
  take(demands: readonly BucketDemand[], reservation: TokenReservation | null): Promise<BucketCheck>;
  /**
   * Settles the reservations of jobs that ended: each bucket gets back what the job was charged less what it used
   * (`usage_records`, written with the terminal transition), or all of it for a job that never ran; a failed job,
   * whose use is unknown, keeps its charge. Answers how many it settled (at most `limit`).
   */
  settleEnded(limit: number): Promise<number>;
  /** Forgets reservations of jobs that were never written (refused after admission), and buckets idle for a day (full by then). */
  sweep(): Promise<void>;
}

export const RATE_BUCKET_STORE = Symbol('RATE_BUCKET_STORE');
