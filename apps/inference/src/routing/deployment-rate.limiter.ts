import type { CatalogDeployment } from '@conveyor/config';

/** The window the catalogue's `rpm` and `tpm` are counted over. */
export const RATE_WINDOW_MS = 60_000;

interface Usage {
  /** When each call started, oldest first. */
  requests: number[];
  /** Tokens each finished call used, with when it ended, oldest first. */
  tokens: Array<{ at: number; count: number }>;
}

/**
 * Keeps this worker within each deployment's catalogue `rpm` and `tpm`, over a sliding 60 s window, so a
 * deployment at its quota is skipped (the next one takes the job) instead of being sent calls that would only
 * come back 429 and push it into a cooldown. The counts are per worker process, in memory, like the cooldowns:
 * with N inference replicas the cluster may send N × the limit, so set a deployment's limits to its upstream
 * quota divided by the replica count. A call counts as a request when it starts; its prompt + completion
 * tokens count when it finishes, and before it starts only its estimated prompt is checked against what is left.
 */
export class DeploymentRateLimiter {
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Why `deployment` may not take a call with a prompt of about `promptTokens` right now, or undefined if it may. */
  refusal(deployment: Pick<CatalogDeployment, 'id' | 'rpm' | 'tpm'>, promptTokens: number): string | undefined {
    const usage = this.usage.get(deployment.id);
    if (!usage) return undefined;
    this.prune(usage);
    if (deployment.rpm !== undefined && usage.requests.length >= deployment.rpm) {
      return `rpm limit reached (${usage.requests.length} of ${deployment.rpm} requests in the last 60 s)`;
    }
    if (deployment.tpm !== undefined) {
      const used = usage.tokens.reduce((sum, entry) => sum + entry.count, 0);
      if (used + promptTokens > deployment.tpm) {
        return `tpm limit reached (${used} of ${deployment.tpm} tokens used in the last 60 s; the prompt needs about ${promptTokens})`;
      }
    }
    return undefined;
  }

  /** A call to the deployment is starting. */
  recordRequest(deploymentId: string): void {
    this.usageOf(deploymentId).requests.push(this.now());
  }

  /** A call to the deployment finished, using `count` prompt + completion tokens. */
  recordTokens(deploymentId: string, count: number): void {
    if (count > 0) this.usageOf(deploymentId).tokens.push({ at: this.now(), count });
  }

  private prune(usage: Usage): void {
    const since = this.now() - RATE_WINDOW_MS;
    while (usage.requests.length > 0 && usage.requests[0]! <= since) usage.requests.shift();
    while (usage.tokens.length > 0 && usage.tokens[0]!.at <= since) usage.tokens.shift();
  }

  private usageOf(deploymentId: string): Usage {
    let usage = this.usage.get(deploymentId);
    if (!usage) {
      usage = { requests: [], tokens: [] };
      this.usage.set(deploymentId, usage);
    }
    return usage;
  }
}
