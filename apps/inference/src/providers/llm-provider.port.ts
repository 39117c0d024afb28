import type { ChatMessage, CompletionParams, FinishReason, ToolCall, Usage } from '@conveyor/contracts';

export interface ProviderRequest {
  model: string;
  messages: ChatMessage[];
  params: CompletionParams;
}

/**
 * What a provider streams: text as it is generated, then exactly one `finish`. `usageEstimated` is true when the
 * upstream reported no usage and the adapter counted the tokens itself, so billing can tell the two apart.
 * `toolCalls` are the model's complete tool calls in OpenAI's shape, assembled from the upstream's fragments.
 */
export type ProviderChunk =
  { type: 'delta'; content: string } | { type: 'finish'; finishReason: FinishReason; usage: Usage; usageEstimated?: boolean; toolCalls?: ToolCall[] };

/** An embeddings job as a provider gets it: the texts, in order, and the length the vectors should have. */
export interface EmbeddingProviderRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  user?: string;
}

/** One vector per input, in order; usage counts the inputs (`completion_tokens` 0), estimated when the upstream gave none. */
export interface EmbeddingProviderResult {
  vectors: number[][];
  usage: Usage;
  usageEstimated?: boolean;
}

/**
 * An LLM backend. `stream` yields deltas as they arrive and must stop promptly (throwing an AbortError)
 * when `signal` aborts. `embed`, on the providers with an embeddings API, answers every input's vector at once.
 * Errors say whether trying again could help.
 */
export interface LlmProvider {
  readonly name: string;
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk>;
  embed?(request: EmbeddingProviderRequest, signal: AbortSignal): Promise<EmbeddingProviderResult>;
}

/** What an upstream said about a failure, beyond whether to retry it. */
export interface ProviderErrorDetails {
  /** The upstream's HTTP status, when it answered with one. */
  status?: number;
  /** How long the upstream asked us to wait before trying again (Retry-After and its kin). */
  retryAfterMs?: number;
}

/**
 * A provider failure; `retryable` errors (429, 5xx, timeouts, cut streams) are retried, the rest fail the job at
 * once. A cancellation is never a ProviderError: adapters throw an AbortError so callers tell the two apart.
 */
export class ProviderError extends Error {
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    readonly retryable: boolean,
    details: ProviderErrorDetails = {},
  ) {
    super(message);
    this.name = 'ProviderError';
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
