export interface CooldownOptions {
  /** Consecutive retryable failures after which a deployment is cooled down. */
  failures: number;
  /** How long a cooled-down deployment is skipped. */
  cooldownMs: number;
}

interface State {
  consecutiveFailures: number;
  coolingUntil: number;
}

/**
 * Which deployments this worker should leave alone for a while. A deployment that keeps failing (rate limited,
 * down, overloaded) is skipped until its cooldown ends, so jobs go straight to a healthy fallback instead of
 * paying for the same failures again. The state is per worker process, in memory: a cooldown protects the
 * upstream from this worker's traffic and needs no coordination; a restart simply forgets it.
 */
export class DeploymentHealth {
  private readonly states = new Map<string, State>();

  constructor(
    private readonly options: CooldownOptions,
    private readonly now: () => number = Date.now,
  ) {}

  isCooling(deploymentId: string): boolean {
    const state = this.states.get(deploymentId);
    return state !== undefined && state.coolingUntil > this.now();
  }

  /** A successful call ends the run of failures. */
  recordSuccess(deploymentId: string): void {
    this.states.delete(deploymentId);
  }

  /** A retryable failure; the `failures`-th in a row starts a cooldown (and starts the count again). */
  recordFailure(deploymentId: string): void {
    const state = this.stateOf(deploymentId);
    state.consecutiveFailures += 1;
    if (state.consecutiveFailures >= this.options.failures) this.coolDown(deploymentId, this.options.cooldownMs);
  }

  /** Cools a deployment down now, for at least `ms` (an upstream's long Retry-After, for example). */
  coolDown(deploymentId: string, ms: number): void {
    const state = this.stateOf(deploymentId);
    state.consecutiveFailures = 0;
    state.coolingUntil = Math.max(state.coolingUntil, this.now() + ms);
  }

  private stateOf(deploymentId: string): State {
    let state = this.states.get(deploymentId);
    if (!state) {
      state = { consecutiveFailures: 0, coolingUntil: 0 };
      this.states.set(deploymentId, state);
    }
    return state;
  }
}
