import { apportionUsage, split } from './usage-apportion.util';

describe('apportionUsage', () => {
  it('splits prompt tokens by prompt share and completion tokens by answer share, adding up to the call exactly', () => {
    const shares = apportionUsage({ prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 }, [1, 1, 2], [3, 1, 0]);
    expect(shares).toEqual([
      { prompt_tokens: 25, completion_tokens: 30, total_tokens: 55 },
      { prompt_tokens: 25, completion_tokens: 10, total_tokens: 35 },
      { prompt_tokens: 50, completion_tokens: 0, total_tokens: 50 },
    ]);
  });

  it('gives the remainders to the largest fractions, then the earliest, never losing or adding a token', () => {
    expect(split(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(split(7, [0, 0])).toEqual([4, 3]);
    expect(split(0, [5, 5])).toEqual([0, 0]);
    for (const weights of [[3, 7, 11], [1], [100, 1, 1, 1]]) expect(split(97, weights).reduce((a, b) => a + b, 0)).toBe(97);
  });
});
