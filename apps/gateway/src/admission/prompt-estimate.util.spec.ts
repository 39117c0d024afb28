import { countTokens } from 'gpt-tokenizer';
import type { ChatCompletionRequest } from '@conveyor/contracts';
import { countText, estimateRequestTokens, EXACT_PROMPT_CHARS } from './prompt-estimate.util';

const request = (over: Partial<ChatCompletionRequest>): ChatCompletionRequest =>
  ({ messages: [{ role: 'user', content: 'Hello there' }], ...over }) as ChatCompletionRequest;

describe('estimateRequestTokens', () => {
  it('is the prompt counted with the tokenizer, 3 tokens a message and 3 for the reply, plus max_tokens', () => {
    const prompt = countTokens('Hello there') + 3 + 3;
    expect(estimateRequestTokens(request({ max_tokens: 100 }), 1024)).toBe(prompt + 100);
    expect(estimateRequestTokens(request({ max_completion_tokens: 50, max_tokens: 100 }), 1024)).toBe(prompt + 50);
  });

  it('assumes the configured completion size for a request without max_tokens', () => {
    expect(estimateRequestTokens(request({}), 1024)).toBe(countTokens('Hello there') + 6 + 1024);
  });

  it('counts the tools offered, which are part of the prompt', () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object' } } }];
    const withTools = estimateRequestTokens(request({ tools, max_tokens: 1 }), 1024);
    expect(withTools).toBe(estimateRequestTokens(request({ max_tokens: 1 }), 1024) + countTokens(JSON.stringify(tools)));
  });
});

describe('countText', () => {
  it('counts short texts exactly', () => {
    expect(countText(['The quick brown fox', 'jumps over the lazy dog'])).toBe(countTokens('The quick brown fox') + countTokens('jumps over the lazy dog'));
  });

  it('extrapolates beyond the exact part at its characters per token, close to the exact count', () => {
    const long = 'The quick brown fox jumps over the lazy dog, and then some more words follow here. '.repeat(2_000);
    expect(long.length).toBeGreaterThan(EXACT_PROMPT_CHARS * 10);
    const estimate = countText([long]);
    const exact = countTokens(long);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02);
  });

  it('counts an exhausted sample budget across several texts, extrapolating only the rest', () => {
    const half = 'word '.repeat(EXACT_PROMPT_CHARS / 5 / 2 + 100);
    const estimate = countText([half, half, half]);
    const exact = countTokens(half) * 3;
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.02);
  });
});
