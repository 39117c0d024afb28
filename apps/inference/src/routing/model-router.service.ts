import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONVEYOR_CONFIG, type CatalogDeployment, type ConveyorConfig } from '@conveyor/config';
import type { FinishReason, JobErrorCode, ProviderAttempt, ToolCall, Usage } from '@conveyor/contracts';
import { ProviderMetrics } from '@conveyor/metrics';
import { estimateUsage } from '../providers/completion-tally.util';
import { estimateEmbeddingUsage } from '../providers/embedding-usage.util';
import type { EmbeddingProviderRequest, LlmProvider, ProviderRequest } from '../providers/llm-provider.port';
import { retryDelayMs, sleep, type BackoffOptions } from './backoff.util';
import { callDeployment, type CallBounds, type CallFailure, type CallOutcome, type DeltaSink } from './deployment-call';
import { callEmbedding, type EmbeddingCallOutcome } from './embedding-call';
import { DeploymentHealth } from './deployment-health';
import { DeploymentRateLimiter } from './deployment-rate.limiter';
import { TenantProviderKeys } from '../tenant-keys/tenant-provider-keys.service';
import { ProviderFactory } from './provider.factory';
import { planRoute } from './route-plan';

/**
 * How routing a job can end without an answer. Each but `cancelled` becomes the failed job's error code;
 * `cancelled` means the job's own signal stopped it (shutdown or cancel), which is not the providers' fault.
 */
export type RoutingFailureCode = Extract<JobErrorCode, 'provider_error' | 'deadline_exceeded' | 'providers_unavailable' | 'invalid_job'> | 'cancelled';

/**
 * Routing gave up: a provider rejected the request for good, the job's deadline passed, every deployment failed,
 * the job was stopped, or the model is not in this worker's catalogue. Carries every provider call made.
 */
export class RoutingError extends Error {
  constructor(
    readonly code: RoutingFailureCode,
    message: string,
    readonly attempts: ProviderAttempt[],
  ) {
    super(message);
    this.name = 'RoutingError';
  }
}

/** What one call to a deployment can come to, whichever kind of job: success carries the tokens spent. */
type Attempted =
  { kind: 'ok'; latencyMs: number; usage: Usage } | { kind: 'error'; latencyMs: number; failure: CallFailure } | { kind: 'aborted'; latencyMs: number };

type DeploymentCaller<O> = (provider: LlmProvider, deployment: CatalogDeployment, bounds: CallBounds) => Promise<O>;

export interface EmbeddingRouteResult {
  vectors: number[][];
  usage: Usage;
  usageEstimated?: boolean;
  deployment: CatalogDeployment;
  attempts: ProviderAttempt[];
}

export interface RouteResult {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  usageEstimated?: boolean;
  toolCalls?: ToolCall[];
  deployment: CatalogDeployment;
  attempts: ProviderAttempt[];
}

/** Whose request this is: a tenant's own key for a deployment (`/v1/settings`) is used for its calls there. */
export interface RouteOptions {
  tenantId?: string;
  /** The job's settings version: keys read before it are read again (see TenantProviderKeys). */
  settingsVersion?: string;
}

/**
 * Runs one job's request across the catalogue: the deployments of its model or group in order, each retried
 * on retryable errors with backoff (honouring Retry-After) up to `ROUTING_MAX_RETRIES` times, cooled-down ones
 * skipped, deployments at their catalogue `rpm`/`tpm` skipped too (recorded as an error attempt, so the job shows
 * why), then the group's fallback groups — all inside the job's deadline. A failure after text has already
 * streamed restarts generation on the next try: its deltas start again at seq 0 (see docs/providers.md). Embeddings
 * jobs route by the same rules, one whole answer per call. A deployment the tenant brought its own key for is
 * called with that key; one whose key cannot be opened fails the job rather than fall back to the operator's key,
 * which the tenant did not ask to be billed to.
 */
@Injectable()
export class ModelRouter {
  private readonly logger = new Logger(ModelRouter.name);
  private readonly health: DeploymentHealth;
  private readonly rates = new DeploymentRateLimiter();
  private readonly backoff: BackoffOptions;

  constructor(
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly providers: ProviderFactory,
    private readonly metrics: ProviderMetrics,
    @Optional() private readonly tenantKeys?: TenantProviderKeys,
  ) {
    this.health = new DeploymentHealth({ failures: config.routing.cooldownFailures, cooldownMs: config.routing.cooldownMs });
    this.backoff = { baseMs: config.routing.backoffBaseMs, maxMs: config.routing.backoffMaxMs };
  }

  /** Answers the first successful call, or throws a RoutingError listing every call made. */
  async route(request: ProviderRequest, jobSignal: AbortSignal, onDelta: DeltaSink, options: RouteOptions = {}): Promise<RouteResult> {
    const promptTokens = () => estimateUsage(request.messages, '').prompt_tokens;
    const call: DeploymentCaller<CallOutcome> = (provider, deployment, bounds) => callDeployment(provider, deployment, request, bounds, onDelta);
    const { outcome, deployment, attempts } = await this.dispatch(request.model, promptTokens, jobSignal, call, options);
    const { text, finishReason, usage, usageEstimated, toolCalls } = outcome;
    return { text, finishReason, usage, usageEstimated, toolCalls, deployment, attempts };
  }

  /** An embeddings job across the catalogue, by the same rules (retries, cooldowns, rate limits, fallback, deadline). */
  async embed(request: EmbeddingProviderRequest, jobSignal: AbortSignal, options: RouteOptions = {}): Promise<EmbeddingRouteResult> {
    const promptTokens = () => estimateEmbeddingUsage(request.inputs).prompt_tokens;
    const call: DeploymentCaller<EmbeddingCallOutcome> = (provider, deployment, bounds) => callEmbedding(provider, deployment, request, bounds);
    const { outcome, deployment, attempts } = await this.dispatch(request.model, promptTokens, jobSignal, call, options);
    return { vectors: outcome.vectors, usage: outcome.usage, usageEstimated: outcome.usageEstimated, deployment, attempts };
  }

  /** The routing loop both kinds of job share: `call` makes one call to one deployment and never throws. */
  private async dispatch<O extends Attempted>(
    model: string,
    estimatePromptTokens: () => number,
    jobSignal: AbortSignal,
    call: DeploymentCaller<O>,
    options: RouteOptions,
  ): Promise<{ outcome: Extract<O, { kind: 'ok' }>; deployment: CatalogDeployment; attempts: ProviderAttempt[] }> {
    const plan = planRoute(this.config.models, model);
    if (!plan) throw new RoutingError('invalid_job', `The model '${model}' is not in this worker's catalogue.`, []);
    const ownKeys = options.tenantId && this.tenantKeys ? await this.tenantKeys.of(options.tenantId, options.settingsVersion) : null;
    const { deadlineMs } = this.config.routing;
    // A timer of our own, cleared when routing ends: AbortSignal.timeout's would outlive every job by its deadline.
    const deadlineCall = new AbortController();
    const deadline = deadlineCall.signal;
    const deadlineTimer = setTimeout(() => deadlineCall.abort(new DOMException(`deadline of ${deadlineMs} ms passed`, 'TimeoutError')), deadlineMs);
    try {
      return await this.routeUntil(model, plan, ownKeys, estimatePromptTokens, jobSignal, deadline, call);
    } finally {
      clearTimeout(deadlineTimer);
    }
  }

  /** The routing loop proper, until `deadline` aborts. */
  private async routeUntil<O extends Attempted>(
    model: string,
    plan: CatalogDeployment[],
    ownKeys: Awaited<ReturnType<TenantProviderKeys['of']>> | null,
    estimatePromptTokens: () => number,
    jobSignal: AbortSignal,
    deadline: AbortSignal,
    call: DeploymentCaller<O>,
  ): Promise<{ outcome: Extract<O, { kind: 'ok' }>; deployment: CatalogDeployment; attempts: ProviderAttempt[] }> {
    const { deadlineMs } = this.config.routing;
    const signal = AbortSignal.any([jobSignal, deadline]);
    const attempts: ProviderAttempt[] = [];
    const stopped = () =>
      deadline.aborted && !jobSignal.aborted
        ? new RoutingError('deadline_exceeded', `The job's deadline of ${deadlineMs} ms passed after ${attempts.length} provider call(s).`, attempts)
        : new RoutingError('cancelled', 'The job was stopped before a provider answered.', attempts);

    // Only deployments with a `tpm` need it, and the tokenizer is not free: estimate once, on first use.
    let promptTokens: number | undefined;
    const estimatePrompt = () => (promptTokens ??= estimatePromptTokens());
    let cooling = 0;
    let limited = 0;
    let calls = 0;
    const called = new Set<string>();
    for (const deployment of plan) {
      if (this.health.isCooling(deployment.id)) {
        cooling += 1;
        continue;
      }
      const own = ownKeys?.get(deployment.id);
      if (own && 'error' in own) throw new RoutingError('provider_error', own.error, attempts);
      const provider = this.providers.get(deployment, own?.key);
      for (let retry = 0; ; retry += 1) {
        const refusal = this.rates.refusal(deployment, deployment.tpm === undefined ? 0 : estimatePrompt());
        if (refusal) {
          attempts.push({ ...this.describe(deployment), outcome: 'error', latency_ms: 0, error: { message: refusal } });
          if (retry === 0) limited += 1;
          break;
        }
        this.rates.recordRequest(deployment.id);
        calls += 1;
        called.add(deployment.id);
        const outcome = (await call(provider, deployment, { signal, idleTimeoutMs: this.config.routing.callTimeoutMs })) as Attempted;
        this.metrics.call(deployment.id, deployment.provider, outcome.kind, outcome.latencyMs);
        attempts.push(this.record(deployment, outcome, jobSignal));
        if (outcome.kind === 'ok') {
          this.rates.recordTokens(deployment.id, outcome.usage.prompt_tokens + outcome.usage.completion_tokens);
          this.health.recordSuccess(deployment.id);
          return { outcome: outcome as Extract<O, { kind: 'ok' }>, deployment, attempts };
        }
        if (outcome.kind === 'aborted') throw stopped();
        const { failure } = outcome;
        // A request the provider rejects (400, bad key) fails the same way everywhere: fail the job at once.
        if (!failure.retryable) throw new RoutingError('provider_error', failure.message, attempts);
        this.health.recordFailure(deployment.id);
        this.logger.warn(`${deployment.id} failed (${failure.status ?? 'no status'}): ${failure.message}`);
        if (retry >= this.config.routing.maxRetries || this.health.isCooling(deployment.id)) break;
        const delay = retryDelayMs(retry, failure.retryAfterMs, this.backoff);
        // An upstream asking for a longer pause than any backoff would take is cooled down, not waited for.
        if (delay > this.backoff.maxMs) {
          this.health.coolDown(deployment.id, delay);
          break;
        }
        await sleep(delay, signal).catch(() => {
          throw stopped();
        });
      }
    }
    const skips = [cooling > 0 && `; ${cooling} cooling down, skipped`, limited > 0 && `; ${limited} at their rate limit, skipped`].filter(Boolean).join('');
    throw new RoutingError(
      'providers_unavailable',
      `All providers unavailable for '${model}': ${calls} call(s) to ${called.size} deployment(s) failed${skips}.`,
      attempts,
    );
  }

  private describe(deployment: CatalogDeployment) {
    return { deployment: deployment.id, provider: deployment.provider, upstream_model: deployment.upstream_model };
  }

  private record(deployment: CatalogDeployment, outcome: Attempted, jobSignal: AbortSignal): ProviderAttempt {
    const base = { ...this.describe(deployment), latency_ms: outcome.latencyMs };
    if (outcome.kind === 'ok') return { ...base, outcome: 'ok' };
    if (outcome.kind === 'aborted') {
      return jobSignal.aborted ? { ...base, outcome: 'cancelled' } : { ...base, outcome: 'error', error: { message: 'deadline exceeded' } };
    }
    const { message, status } = outcome.failure;
    return { ...base, outcome: 'error', error: status === undefined ? { message } : { message, status } };
  }
}
