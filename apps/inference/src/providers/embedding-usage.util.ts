import { countTokens } from 'gpt-tokenizer';
import type { Usage } from '@conveyor/contracts';

/**
 * The tokens of an embeddings request whose upstream reports none (Gemini's API does not): the inputs counted with
 * the tokenizer the completions' estimates use. An embedding generates nothing, so it is all prompt.
 */
export function estimateEmbeddingUsage(inputs: readonly string[]): Usage {
  const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
}
