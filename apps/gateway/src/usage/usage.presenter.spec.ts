import { presentUsage } from './usage.presenter';

describe('presentUsage', () => {
  it('answers each model in OpenAI token terms and their totals, estimated_tokens only where some were estimated', () => {
    const view = presentUsage([
      { model: 'gpt-4o', requests: 2, promptTokens: 30, completionTokens: 12, totalTokens: 42, estimatedTokens: 27 },
      { model: 'quality', requests: 1, promptTokens: 3, completionTokens: 4, totalTokens: 7, estimatedTokens: 0 },
    ]);
    expect(view).toEqual({
      object: 'list',
      data: [
        { model: 'gpt-4o', requests: 2, prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, estimated_tokens: 27 },
        { model: 'quality', requests: 1, prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      ],
      totals: { requests: 3, prompt_tokens: 33, completion_tokens: 16, total_tokens: 49, estimated_tokens: 27 },
    });
  });

  it('answers an empty list with zero totals for a tenant without usage', () => {
    expect(presentUsage([])).toEqual({ object: 'list', data: [], totals: { requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } });
  });
});
