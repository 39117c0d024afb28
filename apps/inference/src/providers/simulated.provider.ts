import { createHash } from 'node:crypto';
import { combinedRequestItems, messageText, type CombinedRequestItem } from '@conveyor/contracts';
import type { EmbeddingProviderRequest, EmbeddingProviderResult, LlmProvider, ProviderChunk, ProviderRequest } from './llm-provider.port';
import { SIMULATED_EMBEDDING_DIMENSIONS, simulatedEmbedding } from './simulated-embedding.util';

export interface SimulatedProviderOptions {
  ttftMs: number;
  tokensPerSecond: number;
  minTokens: number;
  maxTokens: number;
}

const WORDS = (
  'the queue keeps every request safe while workers stream tokens back in order and each job ends ' +
  'completed failed or cancelled with its usage recorded so callers can poll subscribe or wait for a webhook'
).split(' ');

/**
 * A labelled development and test backend, not a model: it answers with deterministic text derived from the
 * prompt (the same prompt always gives the same reply), after a configurable time to first token and at a
 * configurable token rate, so the whole system runs with no API key. Its embeddings are deterministic unit vectors
 * (see simulated-embedding.util.ts), answered after the time to first token.
 */
export class SimulatedProvider implements LlmProvider {
  readonly name = 'simulated';

  constructor(private readonly options: SimulatedProviderOptions) {}

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    const prompt = request.messages.map(messageText).join('\n');
    const items = combinedRequestItems(request.messages);
    if (items) return yield* this.combined(items, prompt, signal);
    const { words, natural } = this.answer(prompt);
    const limit = request.params.max_tokens ?? Number.POSITIVE_INFINITY;
    const count = Math.min(natural, limit);
    await delay(this.options.ttftMs, signal);
    for (let i = 0; i < count; i += 1) {
      if (i > 0) await delay(this.interval, signal);
      yield { type: 'delta', content: words[i]! };
    }
    if (count === natural) yield { type: 'delta', content: '.' };
    const promptTokens = simulatedTokens(prompt);
    yield {
      type: 'finish',
      finishReason: count < natural ? 'length' : 'stop',
      usage: { prompt_tokens: promptTokens, completion_tokens: count, total_tokens: promptTokens + count },
    };
  }

  /**
   * A combined batch request (docs/batching.md): the JSON object of answers, each the text its prompt would get
   * alone, generated at the same token rate one answer after another.
   */
  private async *combined(items: CombinedRequestItem[], prompt: string, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    await delay(this.options.ttftMs, signal);
    yield { type: 'delta', content: '{"answers":[' };
    let tokens = 0;
    for (const [n, item] of items.entries()) {
      const { words } = this.answer(item.prompt);
      yield { type: 'delta', content: `${n > 0 ? ',' : ''}{"index":${item.index},"text":"` };
      for (const word of words) {
        if (tokens > 0) await delay(this.interval, signal);
        tokens += 1;
        yield { type: 'delta', content: JSON.stringify(word).slice(1, -1) };
      }
      yield { type: 'delta', content: '."}' };
    }
    yield { type: 'delta', content: ']}' };
    const promptTokens = simulatedTokens(prompt);
    yield { type: 'finish', finishReason: 'stop', usage: { prompt_tokens: promptTokens, completion_tokens: tokens, total_tokens: promptTokens + tokens } };
  }

  private get interval(): number {
    return this.options.tokensPerSecond > 0 ? 1000 / this.options.tokensPerSecond : 0;
  }

  /** The deterministic words a prompt gets (each with its leading space), and how many it gets at most. */
  private answer(prompt: string): { words: string[]; natural: number } {
    const seed = createHash('sha256').update(prompt).digest();
    const { minTokens, maxTokens } = this.options;
    const natural = minTokens + (seed.readUInt32BE(0) % (maxTokens - minTokens + 1));
    const words: string[] = [];
    for (let i = 0; i < natural; i += 1) {
      const word = WORDS[(seed[i % seed.length]! + i * 7) % WORDS.length]!;
      words.push(i === 0 ? capitalize(word) : ` ${word}`);
    }
    return { words, natural };
  }

  async embed(request: EmbeddingProviderRequest, signal: AbortSignal): Promise<EmbeddingProviderResult> {
    await delay(this.options.ttftMs, signal);
    const dimensions = request.dimensions ?? SIMULATED_EMBEDDING_DIMENSIONS;
    const tokens = request.inputs.reduce((sum, text) => sum + simulatedTokens(text), 0);
    return {
      vectors: request.inputs.map((text) => simulatedEmbedding(text, dimensions)),
      usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens },
    };
  }
}

/** Tokens of simulated text: about four characters each, at least one. */
function simulatedTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
