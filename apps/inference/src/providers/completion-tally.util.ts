import { countTokens } from 'gpt-tokenizer';
import { messageText, type ChatMessage, type FinishReason, type Usage } from '@conveyor/contracts';
import { ProviderError, type ProviderChunk } from './llm-provider.port';

/** Tokens OpenAI's chat format adds around each message and before the reply (role markers, separators). */
const PER_MESSAGE_OVERHEAD = 3;
const REPLY_PRIMING = 3;

/**
 * What every adapter tracks while a stream runs: the text so far, the finish reason and the usage the upstream
 * reported. It builds the one `finish` chunk the port promises, and owns the two rules shared by all adapters:
 * a stream that ends without a finish reason was cut (retryable), and missing usage is counted here and marked
 * `usageEstimated` rather than passed off as the provider's own count.
 */
export class CompletionTally {
  private text = '';
  private finishReason?: FinishReason;
  private usage?: Usage;

  constructor(
    private readonly provider: string,
    private readonly messages: readonly ChatMessage[],
  ) {}

  /** Records a piece of generated text and returns the delta chunk to yield for it. */
  delta(content: string): ProviderChunk {
    this.text += content;
    return { type: 'delta', content };
  }

  finishWith(reason: FinishReason): void {
    this.finishReason = reason;
  }

  /** Records upstream usage; a later report wins, as upstreams send running totals. */
  reportUsage(usage: Usage): void {
    this.usage = usage;
  }

  /** The final chunk, once the upstream stream has ended. Throws if it ended before saying why it stopped. */
  finish(): ProviderChunk {
    if (this.finishReason === undefined) {
      throw new ProviderError(`${this.provider}: the stream ended before the model finished`, true);
    }
    if (this.usage) return { type: 'finish', finishReason: this.finishReason, usage: this.usage };
    return { type: 'finish', finishReason: this.finishReason, usage: estimateUsage(this.messages, this.text), usageEstimated: true };
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
