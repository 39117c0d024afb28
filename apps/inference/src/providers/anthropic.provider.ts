import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming, StopReason } from '@anthropic-ai/sdk/resources/messages/messages';
import { messageText, type ChatMessage, type FinishReason } from '@conveyor/contracts';
import { toAnthropicMessages, toAnthropicToolChoice, toAnthropicTools } from './anthropic-request.mapper';
import { CompletionTally } from './completion-tally.util';
import type { LlmProvider, ProviderChunk, ProviderRequest } from './llm-provider.port';
import { abortError, classifyProviderError } from './provider-error.classifier';

export interface AnthropicProviderOptions {
  name: string;
  /** Anthropic's API by default; a proxy or a compatible server otherwise. */
  baseURL?: string;
  apiKey: string;
  upstreamModel: string;
  timeoutMs: number;
  /** Anthropic requires max_tokens on every request; this is sent when the job sets none. */
  defaultMaxTokens?: number;
}

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
const DEFAULT_MAX_TOKENS = 1024;

/** Anthropic's stop reasons in OpenAI's terms. */
const FINISH_REASONS: Record<StopReason, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * Anthropic's Messages API (version 2023-06-01, `x-api-key`, which Anthropic and Anthropic-compatible proxies
 * accept), streamed, through the official `@anthropic-ai/sdk`. System and developer messages become the top-level
 * `system`; input tokens come from `message_start`
 * and output tokens from `message_delta`. Tool calls stream as `tool_use` blocks whose input arrives in
 * `input_json_delta` fragments (see anthropic-request.mapper.ts for the request side). SDK retries are off: the
 * router owns retries and fallback.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name: string;
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.name = options.name;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      // Explicit, so ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL in the environment never reach this deployment.
      authToken: null,
      baseURL: options.baseURL ?? ANTHROPIC_BASE_URL,
      timeout: options.timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    if (signal.aborted) throw abortError(signal);
    const tally = new CompletionTally(this.name, request.messages);
    let inputTokens = 0;
    try {
      const stream = await this.client.messages.create(this.body(request), { signal });
      for await (const event of stream) {
        if (signal.aborted) break;
        if (event.type === 'message_start') {
          const usage = event.message.usage;
          inputTokens = usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
        } else if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
          tally.toolCallPart(event.index, { id: event.content_block.id, name: event.content_block.name });
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          yield tally.delta(event.delta.text);
        } else if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
          tally.toolCallPart(event.index, { arguments: event.delta.partial_json });
        } else if (event.type === 'message_delta') {
          if (event.delta.stop_reason) tally.finishWith(FINISH_REASONS[event.delta.stop_reason] ?? 'stop');
          const output = event.usage.output_tokens;
          tally.reportUsage({ prompt_tokens: inputTokens, completion_tokens: output, total_tokens: inputTokens + output });
        }
      }
    } catch (err) {
      throw classifyProviderError(err, { provider: this.name, signal, secrets: [this.options.apiKey] });
    }
    if (signal.aborted) throw abortError(signal);
    yield tally.finish();
  }

  private body(request: ProviderRequest): MessageCreateParamsStreaming {
    const { params } = request;
    const system = request.messages.filter(isInstruction).map(messageText).join('\n\n');
    return {
      model: this.options.upstreamModel,
      max_tokens: params.max_tokens ?? this.options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
      messages: toAnthropicMessages(request.messages.filter((m) => !isInstruction(m))),
      stream: true,
      ...(system && { system }),
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.top_p !== undefined && { top_p: params.top_p }),
      ...(params.stop !== undefined && params.stop.length > 0 && { stop_sequences: params.stop }),
      ...(params.user !== undefined && { metadata: { user_id: params.user } }),
      ...(params.tools !== undefined && params.tools.length > 0 && { tools: toAnthropicTools(params.tools) }),
      ...(params.tools?.length && params.tool_choice !== undefined && { tool_choice: toAnthropicToolChoice(params.tool_choice) }),
    };
  }
}

function isInstruction(message: ChatMessage): boolean {
  return message.role === 'system' || message.role === 'developer';
}
