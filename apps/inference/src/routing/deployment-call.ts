import type { CatalogDeployment } from '@conveyor/config';
import type { FinishReason, ToolCall, Usage } from '@conveyor/contracts';
import { ProviderError, type LlmProvider, type ProviderRequest } from '../providers/llm-provider.port';

/** Longest provider message kept on a job: enough to diagnose, never a whole HTML error page. */
const MAX_ERROR_MESSAGE = 500;

/** Receives one call's text as it streams; `seq` counts from 0 for every call, so 0 means "start over". */
export type DeltaSink = (content: string, seq: number) => void;

export interface CallFailure {
  message: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
}

export type CallOutcome =
  | { kind: 'ok'; latencyMs: number; text: string; finishReason: FinishReason; usage: Usage; usageEstimated?: boolean; toolCalls?: ToolCall[] }
  | { kind: 'error'; latencyMs: number; failure: CallFailure }
  | { kind: 'aborted'; latencyMs: number };

/** What bounds one call: the job's signal (cancel, shutdown, deadline) and how long the upstream may stay silent. */
export interface CallBounds {
  signal: AbortSignal;
  /** `ROUTING_CALL_TIMEOUT_MS`: the longest wait for the upstream's first chunk, or for the next one. */
  idleTimeoutMs: number;
}

/**
 * One streamed call to one deployment, never throwing: the router decides what each outcome means. An abort of
 * the job's signal (cancel, shutdown or deadline) is reported as such, whatever error the provider surfaced it
 * with. An upstream that goes silent for `idleTimeoutMs` — before answering, or after sending headers and some
 * text — is aborted (so it sees its request closed) and reported as a retryable failure, so the router can fall
 * back long before the job's deadline: the SDKs' own timeouts stop at the response headers.
 */
export async function callDeployment(
  provider: LlmProvider,
  deployment: CatalogDeployment,
  request: ProviderRequest,
  bounds: CallBounds,
  onDelta: DeltaSink,
  now: () => number = Date.now,
): Promise<CallOutcome> {
  const { signal, idleTimeoutMs } = bounds;
  const startedAt = now();
  const latency = () => Math.max(0, Math.round(now() - startedAt));
  const idle = new AbortController();
  // One timer per call, not one per chunk: each chunk only notes when it came, and the timer, when it fires early,
  // waits again for what remains of the quiet spell.
  let lastData = Date.now();
  const check = () => {
    const quiet = Date.now() - lastData;
    if (quiet >= idleTimeoutMs) idle.abort(new DOMException(`no data for ${idleTimeoutMs} ms`, 'TimeoutError'));
    else timer = setTimeout(check, idleTimeoutMs - quiet);
  };
  let timer = setTimeout(check, idleTimeoutMs);
  const ended = (): CallOutcome | undefined => {
    if (signal.aborted) return { kind: 'aborted', latencyMs: latency() };
    if (!idle.signal.aborted) return undefined;
    return {
      kind: 'error',
      latencyMs: latency(),
      failure: { message: `${deployment.id}: no data from the upstream for ${idleTimeoutMs} ms`, retryable: true },
    };
  };
  let text = '';
  let seq = 0;
  try {
    for await (const chunk of provider.stream({ ...request, model: deployment.upstream_model }, AbortSignal.any([signal, idle.signal]))) {
      lastData = Date.now();
      if (chunk.type === 'delta') {
        text += chunk.content;
        onDelta(chunk.content, seq++);
        continue;
      }
      const { finishReason, usage, usageEstimated, toolCalls } = chunk;
      return { kind: 'ok', latencyMs: latency(), text, finishReason, usage, usageEstimated, toolCalls };
    }
    return ended() ?? { kind: 'error', latencyMs: latency(), failure: { message: `${deployment.id}: the stream ended without finishing`, retryable: true } };
  } catch (err) {
    return ended() ?? { kind: 'error', latencyMs: latency(), failure: describeFailure(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** A ProviderError says what it is; anything else (a reset socket, a bug in an adapter) is worth another try. */
export function describeFailure(err: unknown): CallFailure {
  if (err instanceof ProviderError) {
    return { message: truncate(err.message), retryable: err.retryable, status: err.status, retryAfterMs: err.retryAfterMs };
  }
  return { message: truncate(err instanceof Error ? err.message : String(err)), retryable: true };
}

function truncate(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}…` : message;
}
