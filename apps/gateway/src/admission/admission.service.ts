import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { uuidv7, type ChatCompletionRequest, type NewJob, type PriorityBand } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { BudgetService } from './budget.service';
import { IdempotencyService } from './idempotency.service';
import { entitledBand } from './priority-entitlement.util';
import { estimateRequestTokens } from './prompt-estimate.util';
import { RateLimitService } from './rate-limit.service';
import { SubmitContext } from './submit-context';
import { TenantLimitsService } from './tenant-limits.service';
import { cappedMaxTokens } from '../tenant-settings/band-settings.util';
import { TenantSettingsService } from '../tenant-settings/tenant-settings.service';

/** The part of the submit's options admission reads: a caller that waits for the job registers here before it is published. */
export interface AdmitOptions {
  beforePublish?: (job: NewJob, replay?: boolean) => Promise<void>;
  /** An embeddings job generates nothing: its tokens are its inputs'. */
  embedding?: unknown;
}

/**
 * What the submit does next: write job `jobId` in band `priority`; or, when the request repeats an Idempotency-Key
 * whose job exists, answer with `replay` (already prepared with the caller's `beforePublish`) and write nothing.
 */
export interface Admitted {
  jobId: string;
  priority: PriorityBand;
  replay: NewJob | null;
  /** The job's `max_tokens`: what the request asked, clamped to the tenant's cap for the band (`/v1/settings`). */
  maxTokens?: number;
  /** When the tenant's settings last changed, as this replica knows them (carried to the worker with the job). */
  settingsVersion?: string | null;
}

/**
 * The one gate in front of every submit (JobsService.submit calls `admit` before it writes anything), for every
 * submitting route: Idempotency-Key, the tenant's priority entitlement, its budgets, and its and its key's rate
 * limits, in that order — a replay is never charged, and a request refused on any of them leaves nothing behind.
 * The tenant's token cap for the band it gets clamps the request's `max_tokens` (it never refuses it).
 * docs/admission.md describes the whole.
 */
@Injectable()
export class AdmissionService {
  constructor(
    private readonly context: SubmitContext,
    private readonly limits: TenantLimitsService,
    private readonly settings: TenantSettingsService,
    private readonly idempotency: IdempotencyService,
    private readonly budgets: BudgetService,
    private readonly rates: RateLimitService,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async admit(tenantId: string, request: ChatCompletionRequest, priority: PriorityBand, options: AdmitOptions = {}): Promise<Admitted> {
    const http = this.context.current();
    const jobId = uuidv7();
    let claimed = false;
    if (http?.idempotencyKey && !http.idempotencyChecked) {
      http.idempotencyChecked = true;
      const caller = { waits: options.beforePublish !== undefined, hasCallback: request.callback_url != null };
      const outcome = await this.idempotency.begin(http, tenantId, jobId, caller);
      if (outcome.kind === 'adopt') {
        await options.beforePublish?.(outcome.job, true);
        return { jobId: outcome.job.id, priority: outcome.job.priority, replay: outcome.job };
      }
      claimed = true;
    }
    try {
      const limits = this.limits.limitsOf(tenantId);
      const band = entitledBand(priority, limits.priorities);
      if (!band) {
        throw new ConveyorException(
          ErrorCode.PermissionDenied,
          `Priority '${priority}' is not available to this tenant, nor any band below it; it may use: ${limits.priorities.join(', ')}.`,
          'priority',
        );
      }
      const { bands, version } = await this.settings.of(tenantId);
      const maxTokens = cappedMaxTokens(request.max_completion_tokens ?? request.max_tokens ?? undefined, bands[band].tokens, this.config.limits.maxTokensCap);
      await this.budgets.check(tenantId, limits.budgets);
      const subject = { tenantId, keyHash: http?.apiKeyHash ?? null, ...limits.rate_limits };
      const completion = options.embedding ? 0 : this.config.admission.defaultMaxTokens;
      const tokens = this.rates.countsTokens(subject) ? estimateRequestTokens(request, completion) : 0;
      const headers = await this.rates.take(subject, jobId, tokens);
      this.context.setHeaders(band === priority ? headers : { ...headers, 'x-conveyor-priority-lowered-from': priority });
      return { jobId, priority: band, replay: null, maxTokens, settingsVersion: version };
    } catch (err) {
      // Refused before anything was written: the retry is judged afresh.
      if (claimed) await this.idempotency.release(http!);
      throw err;
    }
  }
}
