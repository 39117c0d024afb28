import type { Usage } from '@conveyor/contracts';

/**
 * Splits a combined call's usage between its jobs: prompt tokens by each job's share of the prompts, completion
 * tokens by each answer's share of the answers (the instruction and JSON framing shared in proportion). Largest
 * remainders, so the shares add up to the call's usage exactly and a tenant is billed for the call, no more.
 */
export function apportionUsage(total: Usage, promptWeights: readonly number[], completionWeights: readonly number[]): Usage[] {
  const prompt = split(total.prompt_tokens, promptWeights);
  const completion = split(total.completion_tokens, completionWeights);
  return prompt.map((p, i) => ({ prompt_tokens: p, completion_tokens: completion[i]!, total_tokens: p + completion[i]! }));
}

/** `amount` in whole shares proportional to `weights` (equal shares when every weight is 0), summing to `amount`. */
export function split(amount: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, w) => a + Math.max(0, w), 0);
  const exact = weights.map((w) => (sum > 0 ? (amount * Math.max(0, w)) / sum : amount / weights.length));
  const shares = exact.map(Math.floor);
  let left = amount - shares.reduce((a, s) => a + s, 0);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}
