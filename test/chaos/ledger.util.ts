import { randomBytes } from 'node:crypto';

/** One accepted submission: what the 202 promised. */
export interface LedgerEntry {
  jobId: string;
  tenant: string;
  /** The first user message's text: unique per submission, so the upstream's per-marker call count is per job. */
  marker: string;
  acceptedAt: number;
}

/** A response that was neither a 202 nor a 503 with Retry-After (or a request that got no answer at all). */
export interface OddResponse {
  marker: string;
  status: number | 'network';
  detail: string;
}

/**
 * The load driver's record of every submission: each 202 (job id, tenant, marker), each 503 that carried
 * Retry-After, and anything else. The audit holds the system to the 202s; a refused marker must leave no job.
 */
export class Ledger {
  readonly accepted: LedgerEntry[] = [];
  /** Markers whose submission answered 503 with Retry-After: "nothing was accepted". */
  readonly refused: string[] = [];
  readonly odd: OddResponse[] = [];
  private seq = 0;
  private readonly prefix: string;

  constructor(scenario: string) {
    this.prefix = `${scenario}-${randomBytes(4).toString('hex')}`;
  }

  /** A marker no other submission of any run shares. */
  nextMarker(): string {
    return `${this.prefix}-${this.seq++}`;
  }

  accept(entry: Omit<LedgerEntry, 'acceptedAt'>): void {
    this.accepted.push({ ...entry, acceptedAt: Date.now() });
  }

  get jobIds(): string[] {
    return this.accepted.map((e) => e.jobId);
  }

  /** Every marker this ledger handed out that the system must know nothing about. */
  get refusedMarkers(): string[] {
    return this.refused;
  }
}
