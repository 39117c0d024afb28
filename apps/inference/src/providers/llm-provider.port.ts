import type { ChatMessage, CompletionParams, FinishReason, Usage } from '@conveyor/contracts';

export interface ProviderRequest {
  model: string;
  messages: ChatMessage[];
  params: CompletionParams;
}

/** What a provider streams: text as it is generated, then exactly one `finish`. */
export type ProviderChunk =
  | { type: 'delta'; content: string }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage };

/**
 * An LLM backend. `stream` yields deltas as they arrive and must stop promptly (throwing an AbortError)
 * when `signal` aborts. Errors say whether trying again could help.
 */
export interface LlmProvider {
  readonly name: string;
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk>;
}

/** A provider failure; `retryable` errors (429, 5xx, timeouts) are retried, the rest fail the job at once. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
