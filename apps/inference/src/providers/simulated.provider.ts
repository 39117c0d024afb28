import { createHash } from 'node:crypto';
import { messageText } from '@conveyor/contracts';
import type { LlmProvider, ProviderChunk, ProviderRequest } from './llm-provider.port';

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
 * configurable token rate, so the whole system runs with no API key.
 */
export class SimulatedProvider implements LlmProvider {
  readonly name = 'simulated';

  constructor(private readonly options: SimulatedProviderOptions) {}

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderChunk> {
    const prompt = request.messages.map(messageText).join('\n');
    const seed = createHash('sha256').update(prompt).digest();
    const { minTokens, maxTokens } = this.options;
    const natural = minTokens + (seed.readUInt32BE(0) % (maxTokens - minTokens + 1));
    const limit = request.params.max_tokens ?? Number.POSITIVE_INFINITY;
    const count = Math.min(natural, limit);
    await delay(this.options.ttftMs, signal);
    const interval = this.options.tokensPerSecond > 0 ? 1000 / this.options.tokensPerSecond : 0;
    for (let i = 0; i < count; i += 1) {
      if (i > 0) await delay(interval, signal);
      const word = WORDS[(seed[i % seed.length]! + i * 7) % WORDS.length]!;
      yield { type: 'delta', content: i === 0 ? capitalize(word) : ` ${word}` };
    }
    if (count === natural) yield { type: 'delta', content: '.' };
    const promptTokens = Math.max(1, Math.ceil(prompt.length / 4));
    yield {
      type: 'finish',
      finishReason: count < natural ? 'length' : 'stop',
      usage: { prompt_tokens: promptTokens, completion_tokens: count, total_tokens: promptTokens + count },
    };
  }
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
