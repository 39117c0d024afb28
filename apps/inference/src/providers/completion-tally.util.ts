import { randomUUID } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer';
import { messageText, type ChatMessage, type FinishReason, type ToolCall, type Usage } from '@conveyor/contracts';
import { ProviderError, type ProviderChunk } from './llm-provider.port';

/** Tokens OpenAI's chat format adds around each message and before the reply (role markers, separators). */
const PER_MESSAGE_OVERHEAD = 3;
const REPLY_PRIMING = 3;

/** A piece of one tool call as an upstream streams it: the id and name once, the arguments' JSON in fragments. */
export interface ToolCallPart {
  id?: string;
  name?: string;
  arguments?: string;
}

/**
 * What every adapter tracks while a stream runs: the text so far, the tool calls, the finish reason and the
 * usage the upstream reported. It builds the one `finish` chunk the port promises, and owns the two rules shared by all adapters:
 * a stream that ends without a finish reason was cut (retryable), and missing usage is counted here and marked
 * `usageEstimated` rather than passed off as the provider's own count.
 */
export class CompletionTally {
  private text = '';
  private finishReason?: FinishReason;
  private usage?: Usage;
  /** Keyed by the upstream's own index of the call (OpenAI's `index`, Anthropic's block index), in arrival order. */
  private readonly calls = new Map<number, { id?: string; name: string; arguments: string }>();

  constructor(
    private readonly provider: string,
    private readonly messages: readonly ChatMessage[],
  ) {}

  /** Records a piece of generated text and returns the delta chunk to yield for it. */
  delta(content: string): ProviderChunk {
    this.text += content;
    return { type: 'delta', content };
  }

  /** Records part of a tool call; parts with the same `index` belong to one call, whose arguments fragments are joined. */
  toolCallPart(index: number, part: ToolCallPart): void {
    const call = this.calls.get(index) ?? { name: '', arguments: '' };
    // The id and name come whole in the first fragment; some OpenAI-compatible servers repeat them later.
    call.id ??= part.id || undefined;
    if (!call.name && part.name) call.name = part.name;
    if (part.arguments) call.arguments += part.arguments;
    this.calls.set(index, call);
  }

  finishWith(reason: FinishReason): void {
    this.finishReason = reason;
  }

  /** Records upstream usage; a later report wins, as upstreams send running totals. */
  reportUsage(usage: Usage): void {
    this.usage = usage;
  }

  /**
   * The final chunk, once the upstream stream has ended. Throws if it ended before saying why it stopped. A model
   * that called tools finishes `tool_calls` even where its API says only "stop" (Gemini); calls without an id
   * (Gemini's) get one, and empty arguments become `{}`, so callers can always parse them.
   */
  finish(): ProviderChunk {
    if (this.finishReason === undefined) {
      throw new ProviderError(`${this.provider}: the stream ended before the model finished`, true);
    }
    const toolCalls: ToolCall[] = [...this.calls.values()].map((call) => ({
      id: call.id ?? `call_${randomUUID().replace(/-/g, '')}`,
      type: 'function',
      function: { name: call.name, arguments: call.arguments || '{}' },
    }));
    const finishReason = toolCalls.length > 0 && this.finishReason === 'stop' ? 'tool_calls' : this.finishReason;
    const calls = toolCalls.length > 0 ? { toolCalls } : {};
    if (this.usage) return { type: 'finish', finishReason, usage: this.usage, ...calls };
    const generated = this.text + toolCalls.map((c) => c.function.name + c.function.arguments).join('');
    return { type: 'finish', finishReason, usage: estimateUsage(this.messages, generated), usageEstimated: true, ...calls };
  }
}

/**
 * Counts usage with the o200k tokenizer (OpenAI's current encoding). For other model families it is an estimate,
 * which is why the finish chunk says so.
 */
export function estimateUsage(messages: readonly ChatMessage[], completion: string): Usage {
  const prompt = messages.reduce((sum, m) => sum + PER_MESSAGE_OVERHEAD + countTokens(messageText(m)), REPLY_PRIMING);
  const completionTokens = completion.length === 0 ? 0 : countTokens(completion);
  return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens };
}
