import { combinedMessages, splitCombinedReply, type CompletionParams } from '@conveyor/contracts';
import type { ProviderChunk } from './llm-provider.port';
import { SimulatedProvider, type SimulatedProviderOptions } from './simulated.provider';

const FAST: SimulatedProviderOptions = { ttftMs: 0, tokensPerSecond: 0, minTokens: 16, maxTokens: 64 };

const request = (content: string, params: CompletionParams = {}) => ({
  model: 'simulated',
  messages: [{ role: 'user' as const, content }],
  params,
});

async function run(provider: SimulatedProvider, content: string, params: CompletionParams = {}, signal = new AbortController().signal) {
  const chunks: ProviderChunk[] = [];
  for await (const chunk of provider.stream(request(content, params), signal)) chunks.push(chunk);
  const deltas = chunks.filter((c): c is Extract<ProviderChunk, { type: 'delta' }> => c.type === 'delta');
  const finishes = chunks.filter((c): c is Extract<ProviderChunk, { type: 'finish' }> => c.type === 'finish');
  const words = deltas.map((d) => d.content).filter((c) => c !== '.');
  return { chunks, text: deltas.map((d) => d.content).join(''), words, finishes, finish: finishes[0]! };
}

describe('SimulatedProvider', () => {
  const provider = new SimulatedProvider(FAST);

  it('answers a combined batch request with the JSON of answers, each the text its prompt gets alone', async () => {
    const prompts = ['What is 2+2?', 'Name a colour', 'Say "hi"'];
    const chunks: ProviderChunk[] = [];
    for await (const chunk of provider.stream(
      {
        model: 'simulated',
        messages: combinedMessages(
          'normal',
          prompts.map((content) => [{ role: 'user' as const, content }]),
        ),
        params: {},
      },
      new AbortController().signal,
    ))
      chunks.push(chunk);
    const reply = chunks.map((c) => (c.type === 'delta' ? c.content : '')).join('');
    const answers = splitCombinedReply(reply, prompts.length);
    expect(answers.size).toBe(3);
    for (const [i, prompt] of prompts.entries()) expect(answers.get(i)).toBe((await run(provider, prompt)).text);
    const finish = chunks.at(-1) as Extract<ProviderChunk, { type: 'finish' }>;
    const alone = await Promise.all(prompts.map((p) => run(provider, p)));
    expect(finish.usage.completion_tokens).toBe(alone.reduce((a, r) => a + r.finish.usage.completion_tokens, 0));
  });

  it('is labelled "simulated"', () => {
    expect(provider.name).toBe('simulated');
  });

  it('gives the same prompt the same text and usage every time', async () => {
    const a = await run(provider, 'Hello');
    const b = await run(new SimulatedProvider(FAST), 'Hello');
    expect(b.text).toBe(a.text);
    expect(b.finish.usage).toEqual(a.finish.usage);
  });

  it('gives different prompts different text', async () => {
    const texts = await Promise.all(['Hello', 'Hello!', 'Tell me about queues', 'What is RabbitMQ?'].map(async (p) => (await run(provider, p)).text));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('streams deltas and then exactly one finish, last', async () => {
    const { chunks, finishes } = await run(provider, 'Hello');
    expect(finishes).toHaveLength(1);
    expect(chunks[chunks.length - 1]!.type).toBe('finish');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('reads text from content parts as well as strings', async () => {
    const parts = await (async () => {
      const chunks: ProviderChunk[] = [];
      const req = {
        model: 'simulated',
        messages: [
          {
            role: 'user' as const,
            content: [
              { type: 'text' as const, text: 'Hel' },
              { type: 'text' as const, text: 'lo' },
            ],
          },
        ],
        params: {},
      };
      for await (const c of provider.stream(req, new AbortController().signal)) chunks.push(c);
      return chunks;
    })();
    const plain = (await run(provider, 'Hello')).chunks;
    expect(parts).toEqual(plain);
  });

  it.each([
    ['a greeting', 'Hello'],
    ['a one-letter prompt', 'a'],
    ['a sentence', 'Summarise the following document in three bullet points, please.'],
    ['a 5 000-character prompt', 'x'.repeat(5_000)],
  ])('answers %s with a token count within [minTokens, maxTokens], ending with "stop"', async (_label, prompt) => {
    const { words, finish, text } = await run(provider, prompt);
    expect(words.length).toBeGreaterThanOrEqual(FAST.minTokens);
    expect(words.length).toBeLessThanOrEqual(FAST.maxTokens);
    expect(finish.usage.completion_tokens).toBe(words.length);
    expect(finish.finishReason).toBe('stop');
    expect(text).toMatch(/^[A-Z][a-z]*( [a-z]+)*\.$/);
  });

  it('stays within a narrow configured range', async () => {
    const narrow = new SimulatedProvider({ ...FAST, minTokens: 3, maxTokens: 4 });
    for (const prompt of ['one', 'two', 'three', 'four', 'five', 'six']) {
      const { finish } = await run(narrow, prompt);
      expect([3, 4]).toContain(finish.usage.completion_tokens);
    }
  });

  it('stops at params.max_tokens when the natural answer is longer, with finish_reason "length"', async () => {
    const natural = (await run(provider, 'Hello')).finish.usage.completion_tokens;
    expect(natural).toBeGreaterThan(5); // minTokens is 16, so 5 is always shorter
    const { words, finish, text } = await run(provider, 'Hello', { max_tokens: 5 });
    expect(words).toHaveLength(5);
    expect(finish.usage.completion_tokens).toBe(5);
    expect(finish.finishReason).toBe('length');
    expect(text.endsWith('.')).toBe(false);
  });

  it('is unaffected by a max_tokens at or above the natural length', async () => {
    const full = await run(provider, 'Hello');
    const natural = full.finish.usage.completion_tokens;
    const capped = await run(provider, 'Hello', { max_tokens: natural });
    expect(capped.text).toBe(full.text);
    expect(capped.finish.finishReason).toBe('stop');
  });

  it('reports usage.total_tokens as prompt_tokens + completion_tokens, with at least one prompt token', async () => {
    for (const prompt of ['', 'Hello', 'A much longer prompt that spans several words and tokens']) {
      const { usage } = (await run(provider, prompt)).finish;
      expect(usage.prompt_tokens).toBeGreaterThanOrEqual(1);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    }
  });

  it('counts more prompt tokens for a longer prompt', async () => {
    const short = (await run(provider, 'Hi')).finish.usage.prompt_tokens;
    const long = (await run(provider, 'Hi '.repeat(100))).finish.usage.prompt_tokens;
    expect(long).toBeGreaterThan(short);
  });

  it('streams at a nonzero rate and produces the same text as the instant mode', async () => {
    const paced = new SimulatedProvider({ ttftMs: 5, tokensPerSecond: 1_000, minTokens: 3, maxTokens: 5 });
    const instant = new SimulatedProvider({ ttftMs: 0, tokensPerSecond: 0, minTokens: 3, maxTokens: 5 });
    const a = await run(paced, 'Hello');
    const b = await run(instant, 'Hello');
    expect(a.text).toBe(b.text);
    expect(a.finish).toEqual(b.finish);
  });

  describe('cancellation', () => {
    it('rejects with the abort reason when the signal aborts while waiting for the first token', async () => {
      const slow = new SimulatedProvider({ ttftMs: 10_000, tokensPerSecond: 0, minTokens: 16, maxTokens: 64 });
      const controller = new AbortController();
      const reason = new Error('job cancelled');
      setTimeout(() => controller.abort(reason), 20);
      await expect(run(slow, 'Hello', {}, controller.signal)).rejects.toBe(reason);
    });

    it('rejects with the abort reason when the signal aborts between tokens', async () => {
      const paced = new SimulatedProvider({ ttftMs: 0, tokensPerSecond: 10, minTokens: 16, maxTokens: 64 });
      const controller = new AbortController();
      const reason = new Error('worker shutting down');
      const seen: ProviderChunk[] = [];
      const consume = (async () => {
        for await (const chunk of paced.stream(request('Hello'), controller.signal)) {
          seen.push(chunk);
          if (seen.length === 2) controller.abort(reason);
        }
      })();
      await expect(consume).rejects.toBe(reason);
      expect(seen).toHaveLength(2);
      expect(seen.every((c) => c.type === 'delta')).toBe(true);
    });

    it('rejects at once when the signal is already aborted', async () => {
      const controller = new AbortController();
      const reason = new Error('already gone');
      controller.abort(reason);
      await expect(run(provider, 'Hello', {}, controller.signal)).rejects.toBe(reason);
    });
  });
});
