import { combinedRequestItems, type ChatMessage } from '@conveyor/contracts';
import type { RecordedRequest, Reply } from './mock-upstream.server';
import { openAiStreamFrames } from './openai-stream.fixture';
import { sseReply } from './reply.util';

export interface CombinedReplyOptions {
  /** Indexes the JSON reply leaves out: the jobs the worker cannot split it for. */
  omit?: readonly number[];
  /** Answer a combined request with prose instead of the JSON object: nothing can be split. */
  prose?: boolean;
  /** Wait this long before answering (a call still running when a test acts on it). */
  delayMs?: number;
  /** Usage the upstream reports for every call. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The answer the mock gives a prompt, alone or inside a combined request. */
export const answerTo = (prompt: string): string => `answer to ${prompt}`;

/**
 * An OpenAI-compatible upstream that follows the combined batch instruction (docs/batching.md): a combined request
 * gets the JSON object of answers, split over several content deltas; any other request gets `answer to <prompt>`.
 * `omit` and `prose` make a reply the worker cannot (wholly) split.
 */
export function combinedOpenAiReply(options: CombinedReplyOptions = {}): Reply {
  const usage = options.usage ?? { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 };
  return async (res, req, recorded) => {
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    if (res.destroyed) return;
    const messages = (recorded.body.messages ?? []) as ChatMessage[];
    const items = combinedRequestItems(messages);
    let text: string;
    if (!items) text = answerTo(String(messages.at(-1)?.content ?? ''));
    else if (options.prose) text = items.map((item) => `${item.index}. ${answerTo(item.prompt)}`).join('\n');
    else {
      const answers = items.filter((item) => !options.omit?.includes(item.index)).map((item) => ({ index: item.index, text: answerTo(item.prompt) }));
      text = JSON.stringify({ answers });
    }
    const third = Math.ceil(text.length / 3);
    const pieces = [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter((p) => p !== '');
    return sseReply(openAiStreamFrames({ pieces, finishReason: 'stop', usage, done: true }))(res, req, recorded);
  };
}

/** The prompts of a request the mock received, if it was a combined one. */
export function combinedPrompts(request: RecordedRequest): string[] | null {
  return combinedRequestItems((request.body.messages ?? []) as ChatMessage[])?.map((item) => item.prompt) ?? null;
}
