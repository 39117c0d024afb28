import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import type { JobRecord } from '@conveyor/contracts';
import { IDEMPOTENCY_STORE, JOB_STORE, type IdempotencyClaim, type IdempotencyStore, type JobStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { SecretBox } from '@conveyor/webhooks';
import { IdempotentReplay, type StoredAnswer } from './idempotent-replay';
import type { SubmitRequest } from './submit-context';

/** How a caller of the submit uses the job: waits for its end (a synchronous answer or a stream), and whether it shows a callback secret. */
export interface SubmitCaller {
  waits: boolean;
  hasCallback: boolean;
}

/** What a request with an Idempotency-Key does: submit under its claim, or answer for the first request's job. */
export type IdempotencyOutcome = { kind: 'claimed' } | { kind: 'adopt'; job: JobRecord };

/** Error codes of a job that was accepted and then ended badly while its caller waited: the answer, not a refusal. */
const JOB_ENDED = new Set<string>([
  ErrorCode.ProviderError,
  ErrorCode.JobFailed,
  ErrorCode.DeadlineExceeded,
  ErrorCode.JobCancelled,
  ErrorCode.ProvidersUnavailable,
]);

const KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Idempotency-Key for every submitting route (Stripe's semantics, kept per tenant and route in PostgreSQL):
 * - the first request claims the key (with the job id it will submit) and holds a lease while it runs;
 * - the same key with another request is 422; with the same request, once the first has its answer, that answer
 *   again (the same status and body) and no new job;
 * - while the first request is still being accepted, 409 (the SDKs retry it); a caller that waits for the job —
 *   `/openai/v1` without `stream`, or any `stream: true` — instead waits for the same job once its row exists;
 * - a first request refused before anything was written (a 429) frees the key; one that failed otherwise (a 503)
 *   ends its lease, and the next request takes the job over if its row exists, or submits anew if it does not.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly box: SecretBox;
  private readonly ttlMs: number;
  private readonly leaseMs: number;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    // Answers may hold a callback secret: sealed like the job's own copy of it.
    this.box = new SecretBox(config.webhooks.secretKey);
    ({ ttlMs: this.ttlMs, leaseMs: this.leaseMs } = config.admission.idempotency);
  }

  async begin(request: SubmitRequest, tenantId: string, jobId: string, caller: SubmitCaller): Promise<IdempotencyOutcome> {
    const key = request.idempotencyKey!;
    if (!KEY.test(key)) {
      throw new ConveyorException(ErrorCode.InvalidRequest, 'Invalid Idempotency-Key header: 1 to 255 printable ASCII characters.', 'Idempotency-Key');
    }
    const claim: IdempotencyClaim = { scope: { tenantId, route: request.route, key }, owner: randomUUID(), jobId };
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.store.claim(claim, request.fingerprint, this.leaseMs, this.ttlMs);
      if (found.claimed) return this.hold(request, claim);
      const record = found.record;
      if (!record) continue; // freed in between: claim again
      if (record.fingerprint !== request.fingerprint) {
        throw new ConveyorException(ErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was used with a different request; use a new key for a new request.');
      }
      if (record.state === 'done' && record.response !== null) throw new IdempotentReplay(JSON.parse(this.box.open(record.response)) as StoredAnswer);
      const live = record.state === 'pending' && !record.leaseExpired;
      if (live && !caller.waits) throw inUse();
      const job = await this.jobs.findForTenant(tenantId, record.jobId);
      // A waiting caller can answer for the job like its first request; a 202 with a callback could not show its secret again.
      if (job && (caller.waits || !caller.hasCallback)) return { kind: 'adopt', job };
      if (live) throw inUse();
      if (await this.store.takeOver(claim, record.jobId, this.leaseMs)) return this.hold(request, claim);
    }
    throw inUse();
  }

  /** Frees the claim of a request refused before anything was written: the retry starts afresh. */
  async release(request: SubmitRequest): Promise<void> {
    const claim = this.detach(request);
    if (claim) await this.settle(claim, () => this.store.release(claim));
  }

  /** Records the answer of a request that holds a claim: a body, or nothing (the answer is the job itself: a stream, or a caller that left). */
  async completed(request: SubmitRequest, body: unknown): Promise<void> {
    const claim = this.detach(request);
    if (!claim) return;
    const answer: StoredAnswer | null = body === undefined ? null : { kind: 'body', headers: replayedHeaders(request), body };
    await this.settle(claim, () => this.store.complete(claim, answer && this.box.seal(JSON.stringify(answer))));
  }

  /** A request that holds a claim failed: a job that ended badly is its answer; anything else ends the lease. */
  async failed(request: SubmitRequest, err: unknown): Promise<void> {
    const claim = this.detach(request);
    if (!claim) return;
    if (err instanceof ConveyorException && JOB_ENDED.has(err.code)) {
      const answer: StoredAnswer = {
        kind: 'error',
        code: err.code,
        message: err.message,
        param: err.param,
        retryAfterS: err.retryAfterS,
        headers: { ...replayedHeaders(request), ...err.headers },
      };
      await this.settle(claim, () => this.store.complete(claim, this.box.seal(JSON.stringify(answer))));
    } else {
      await this.settle(claim, () => this.store.expire(claim));
    }
  }

  private hold(request: SubmitRequest, claim: IdempotencyClaim): IdempotencyOutcome {
    request.claim = claim;
    // Renewed while the request runs (a synchronous answer waits for its job), so only a dead replica's lease runs out.
    const timer = setInterval(() => {
      this.store.renew(claim, this.leaseMs).then(
        (held) => held || clearInterval(timer),
        (err: Error) => this.logger.warn(`could not renew an idempotency lease: ${err.message}`),
      );
    }, this.leaseMs / 3);
    timer.unref();
    request.stopRenewing = () => clearInterval(timer);
    return { kind: 'claimed' };
  }

  private detach(request: SubmitRequest): IdempotencyClaim | null {
    const claim = request.claim;
    request.stopRenewing?.();
    request.claim = null;
    request.stopRenewing = null;
    return claim;
  }

  /** A failure to record the outcome leaves the lease to run out, which the next request handles. */
  private async settle(claim: IdempotencyClaim, write: () => Promise<void>): Promise<void> {
    await write().catch((err: Error) => this.logger.warn(`idempotency key of job ${claim.jobId} not settled: ${err.message}`));
  }
}

function inUse(): ConveyorException {
  return new ConveyorException(ErrorCode.IdempotencyKeyInUse, 'A request with this Idempotency-Key is still being processed; retry shortly.', null, 1);
}

/** The headers a replay repeats: where the job is (`Location`, `X-Conveyor-Job-Id`) and Conveyor's own. */
function replayedHeaders(request: SubmitRequest): Record<string, string> {
  const all = { ...request.reply.raw.getHeaders(), ...request.reply.getHeaders() };
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (typeof value === 'string' && (name === 'location' || name.startsWith('x-conveyor-'))) kept[name] = value;
  }
  return kept;
}
