import type { CatalogDeployment } from '@conveyor/config';
import type { Usage } from '@conveyor/contracts';
import { ProviderError, type LlmProvider, type EmbeddingProviderRequest } from '../providers/llm-provider.port';
import { describeFailure, type CallBounds, type CallFailure } from './deployment-call';

export type EmbeddingCallOutcome =
  | { kind: 'ok'; latencyMs: number; vectors: number[][]; usage: Usage; usageEstimated?: boolean }
  | { kind: 'error'; latencyMs: number; failure: CallFailure }
  | { kind: 'aborted'; latencyMs: number };

/**
 * One embeddings call to one deployment, never throwing, like callDeployment. The answer comes whole, so
 * `idleTimeoutMs` (`ROUTING_CALL_TIMEOUT_MS`) bounds the whole call; past it the call is aborted and reported as
 * a retryable failure. An answer that does not fit the request — another count of vectors, vectors of unequal
 * length or not the `dimensions` asked for (a model that cannot shorten its vectors) — fails for good: asking
 * again would get the same.
 */
export async function callEmbedding(
  provider: LlmProvider,
  deployment: CatalogDeployment,
  request: EmbeddingProviderRequest,
  bounds: CallBounds,
  now: () => number = Date.now,
): Promise<EmbeddingCallOutcome> {
  const { signal, idleTimeoutMs } = bounds;
  const startedAt = now();
  const latency = () => Math.max(0, Math.round(now() - startedAt));
  const timeout = AbortSignal.timeout(idleTimeoutMs);
  try {
    if (!provider.embed) throw new ProviderError(`${deployment.id}: ${deployment.provider} has no embeddings API`, false);
    const answer = await provider.embed({ ...request, model: deployment.upstream_model }, AbortSignal.any([signal, timeout]));
    const misfit = misfitOf(answer.vectors, request);
    if (misfit) return { kind: 'error', latencyMs: latency(), failure: { message: `${deployment.id}: ${misfit}`, retryable: false } };
    return { kind: 'ok', latencyMs: latency(), vectors: answer.vectors, usage: answer.usage, usageEstimated: answer.usageEstimated };
  } catch (err) {
    if (signal.aborted) return { kind: 'aborted', latencyMs: latency() };
    if (timeout.aborted) {
      return {
        kind: 'error',
        latencyMs: latency(),
        failure: { message: `${deployment.id}: no answer from the upstream within ${idleTimeoutMs} ms`, retryable: true },
      };
    }
    return { kind: 'error', latencyMs: latency(), failure: describeFailure(err) };
  }
}

function misfitOf(vectors: number[][], request: EmbeddingProviderRequest): string | null {
  if (vectors.length !== request.inputs.length) return `answered ${vectors.length} vectors for ${request.inputs.length} inputs`;
  const length = vectors[0]?.length ?? 0;
  if (length === 0 || vectors.some((v) => v.length !== length)) return 'answered empty vectors, or vectors of unequal length';
  if (request.dimensions !== undefined && length !== request.dimensions) {
    return `answered vectors of ${length} dimensions, not the ${request.dimensions} asked for (does the model take \`dimensions\`?)`;
  }
  return null;
}
