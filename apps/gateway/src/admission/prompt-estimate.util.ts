import { countTokens } from 'gpt-tokenizer';
import { messageText, type ChatCompletionRequest } from '@conveyor/contracts';

/** Tokens OpenAI's chat format adds around each message and before the reply (as the workers' estimate counts). */
const PER_MESSAGE_OVERHEAD = 3;
const REPLY_PRIMING = 3;
/**
 * Text tokenized exactly; beyond it the rest is extrapolated at the sample's characters per token. Tokenizing runs
 * on the gateway's event loop at roughly 2–18 MB/s on a 2-core machine, so a 1 MB prompt would stall every other
 * request for up to half a second; 8 Ki characters cost well under 5 ms, and most prompts are shorter.
 */
export const EXACT_PROMPT_CHARS = 8_192;

/**
 * The tokens a request will spend at most, for tokens-per-minute limits: its prompt, counted with `gpt-tokenizer`
 * (o200k, the encoding the workers use when an upstream reports no usage; exact for OpenAI's current models, an
 * estimate for others), plus the completion it may generate (`max_completion_tokens`, `max_tokens`, or
 * `defaultMaxTokens`). The job's real usage replaces this estimate when it ends.
 */
export function estimateRequestTokens(request: ChatCompletionRequest, defaultMaxTokens: number): number {
  const texts = request.messages.map(messageText);
  if (request.tools?.length) texts.push(JSON.stringify(request.tools));
  const completion = request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens;
  return countText(texts) + request.messages.length * PER_MESSAGE_OVERHEAD + REPLY_PRIMING + completion;
}

/** Tokens of the texts: exact over the first EXACT_PROMPT_CHARS characters, extrapolated beyond (at least one token per 8 characters). */
export function countText(texts: readonly string[]): number {
  let budget = EXACT_PROMPT_CHARS;
  let sampledChars = 0;
  let sampledTokens = 0;
  let rest = 0;
  for (const text of texts) {
    const exact = text.length <= budget ? text : text.slice(0, budget);
    if (exact.length > 0) {
      sampledTokens += countTokens(exact);
      sampledChars += exact.length;
      budget -= exact.length;
    }
    rest += text.length - exact.length;
  }
  if (rest === 0) return sampledTokens;
  const charsPerToken = sampledTokens > 0 ? Math.min(8, sampledChars / sampledTokens) : 4;
  return sampledTokens + Math.ceil(rest / charsPerToken);
}
