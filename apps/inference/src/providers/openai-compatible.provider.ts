import { decodeEmbedding, type ChatMessage, type FinishReason } from '@conveyor/contracts';
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ChatStreamClient } from './chat-stream.client';
import { CompletionTally } from './completion-tally.util';
import { estimateEmbeddingUsage } from './embedding-usage.util';
import type { EmbeddingProviderRequest, EmbeddingProviderResult, LlmProvider, ProviderChunk, ProviderRequest } from './llm-provider.port';
import { abortError, classifyProviderError } from './provider-error.classifier';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiCompatibleProviderOptions {
  /** The deployment's name, used in errors and on results. */
  name: string;
  /** OpenAI itself by default; any OpenAI-compatible server otherwise (vLLM, Ollama's /v1, llama.cpp, LM Studio). */
  baseURL?: string;
  /** Local servers usually need none. */
  apiKey?: string;
  upstreamModel: string;
  /** How long to wait for the upstream to start answering. */
  timeoutMs: number;
}

/**
 * OpenAI Chat Completions, streamed by a lean client on the job's hot path (chat-stream.client.ts), and embeddings
 * through the official `openai` SDK, whose retries are off: retrying, backoff and fallback belong to the router,
 * which sees every attempt. Usage comes from the final `include_usage` chunk; servers that send none get an estimate. Tools,
 * tool choice and tool-call turns pass through unchanged; streamed `delta.tool_calls` fragments sharing an `index`
 * are joined into whole calls. Embeddings are OpenAI's `/embeddings`, asked for in base64 (a quarter of the bytes);
 * a server that answers floats anyway is read as it answers.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly chat: ChatStreamClient;

  constructor(private readonly options: OpenAiCompatibleProviderOptions) {
    this.name = options.name;
    this.client = new OpenAI({
      // The SDK refuses to start without a key; local servers ignore the placeholder.
      apiKey: options.apiKey || 'no-key',
      // Explicit values, so the SDK never picks up OPENAI_BASE_URL / OPENAI_ORG_ID / OPENAI_PROJECT_ID from the
      // environment and sends them (or the wrong server's key) to a deployment they were not meant for.
      baseURL: options.baseURL ?? OPENAI_BASE_URL,
      organization: null,
      project: null,
      timeout: options.timeoutMs,
      maxRetries: 0,
      // The SDK logs unparseable stream lines itself; the classifier reports them instead.
      logLevel: 'off',
    });
    this.chat = new ChatStreamClient({ baseURL: options.baseURL ?? OPENAI_BASE_URL, apiKey: options.apiKey || 'no-key', timeoutMs: options.timeoutMs });
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    if (signal.aborted) throw abortError(signal);
    const tally = new CompletionTally(this.name, request.messages);
    try {
      for await (const chunk of this.chat.stream(this.body(request), signal)) {
        // Chunks already buffered when the signal fired would otherwise still come out.
        if (signal.aborted) break;
        if (chunk.usage) tally.reportUsage(usageOf(chunk.usage));
        const choice = chunk.choices.find((c) => c.index === 0);
        if (choice?.delta?.content) yield tally.delta(choice.delta.content);
        for (const call of choice?.delta?.tool_calls ?? []) {
          tally.toolCallPart(call.index, { id: call.id, name: call.function?.name, arguments: call.function?.arguments });
        }
        if (choice?.finish_reason) tally.finishWith(finishReasonOf(choice.finish_reason));
      }
    } catch (err) {
      throw classifyProviderError(err, { provider: this.name, signal, secrets: this.secrets() });
    }
    // The SDK ends a stream quietly when its signal aborts; the port promises an AbortError.
    if (signal.aborted) throw abortError(signal);
    yield tally.finish();
  }

  async embed(request: EmbeddingProviderRequest, signal: AbortSignal): Promise<EmbeddingProviderResult> {
    if (signal.aborted) throw abortError(signal);
    try {
      // An explicit encoding_format: the SDK then hands the answer over as the server sent it, floats or base64.
      const response = await this.client.embeddings.create(
        {
          model: this.options.upstreamModel,
          input: request.inputs,
          encoding_format: 'base64',
          ...(request.dimensions !== undefined && { dimensions: request.dimensions }),
          ...(request.user !== undefined && { user: request.user }),
        },
        { signal },
      );
      const data = [...response.data].sort((a, b) => a.index - b.index);
      const vectors = data.map((d) => (typeof d.embedding === 'string' ? decodeEmbedding(d.embedding) : d.embedding));
      const reported = response.usage?.prompt_tokens;
      return reported === undefined
        ? { vectors, usage: estimateEmbeddingUsage(request.inputs), usageEstimated: true }
        : { vectors, usage: { prompt_tokens: reported, completion_tokens: 0, total_tokens: response.usage.total_tokens ?? reported } };
    } catch (err) {
      throw classifyProviderError(err, { provider: this.name, signal, secrets: this.secrets() });
    }
  }

  private body(request: ProviderRequest): ChatCompletionCreateParamsStreaming {
    const { params } = request;
    return {
      model: this.options.upstreamModel,
      messages: request.messages.map(toOpenAiMessage),
      stream: true,
      stream_options: { include_usage: true },
      ...(params.max_tokens !== undefined && { max_tokens: params.max_tokens }),
      ...(params.temperature !== undefined && { temperature: params.temperature }),
      ...(params.top_p !== undefined && { top_p: params.top_p }),
      ...(params.stop !== undefined && params.stop.length > 0 && { stop: params.stop }),
      ...(params.user !== undefined && { user: params.user }),
      ...(params.tools !== undefined && params.tools.length > 0 && { tools: params.tools }),
      ...(params.tool_choice !== undefined && { tool_choice: params.tool_choice }),
    };
  }

  private secrets(): string[] {
    return this.options.apiKey ? [this.options.apiKey] : [];
  }
}

/** Messages pass through as they came; only an absent content is spelled out as OpenAI expects it. */
function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  const name = message.name !== undefined ? { name: message.name } : {};
  switch (message.role) {
    case 'tool':
      return { role: 'tool', content: message.content ?? '', tool_call_id: message.tool_call_id ?? '' };
    case 'assistant':
      return { role: 'assistant', content: message.content ?? null, ...name, ...(message.tool_calls && { tool_calls: message.tool_calls }) };
    default:
      return { role: message.role, content: message.content ?? '', ...name };
  }
}

function usageOf(usage: NonNullable<ChatCompletionChunk['usage']>) {
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
}

/** OpenAI's reasons map one to one; `function_call` is the legacy name of `tool_calls`, anything else is a stop. */
function finishReasonOf(reason: ChatCompletionChunk.Choice['finish_reason']): FinishReason {
  if (reason === 'length' || reason === 'content_filter' || reason === 'tool_calls') return reason;
  return reason === 'function_call' ? 'tool_calls' : 'stop';
}
