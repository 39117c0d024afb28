import { z } from 'zod';
import { messageText, type ChatMessage } from './chat-message.schema';
import type { PriorityBand } from './priority.util';

/**
 * The shape of a combined batch call (docs/batching.md): one system instruction for the batch's priority, then
 * the batch's prompts numbered from 0 as a JSON array in one user turn; the model answers one JSON object with an
 * answer per index. The simulated provider and the test upstream read requests in this shape, so it lives here.
 */
export const COMBINED_REQUESTS_HEADER = 'Requests (a JSON array of {"index", "prompt"}):';

const PRIORITY_INSTRUCTIONS: Record<PriorityBand, string> = {
  high: 'These requests are urgent: answer each one briefly and directly.',
  normal: 'Answer each request completely but concisely.',
  low: 'Answer each request in detail, explaining your reasoning where it helps.',
};

const REPLY_INSTRUCTION =
  'You answer several independent requests at once. Each request has an index and a prompt; answer each one on its own, ' +
  'never mixing requests. Reply with one JSON object and nothing else (no prose, no code fence): ' +
  '{"answers":[{"index":0,"text":"..."}]}, with exactly one answer for every index.';

export interface CombinedRequestItem {
  index: number;
  prompt: string;
}

/** One job's conversation as one prompt: its only user turn as is, or a transcript of its turns. */
export function promptOf(messages: readonly ChatMessage[]): string {
  if (messages.length === 1) return messageText(messages[0]!);
  return messages.map((m) => `${m.role}: ${messageText(m)}`).join('\n');
}

/**
 * The combined call's messages for a batch's conversations. A system message every conversation opens with, word
 * for word, is sent once, ahead of the batch instruction, instead of once per prompt: the tokens batching saves.
 */
export function combinedMessages(band: PriorityBand, conversations: ReadonlyArray<readonly ChatMessage[]>): ChatMessage[] {
  const first = conversations[0]?.[0];
  const shared =
    first?.role === 'system' && conversations.every((c) => c.length > 1 && c[0]!.role === 'system' && messageText(c[0]!) === messageText(first))
      ? messageText(first)
      : null;
  const items: CombinedRequestItem[] = conversations.map((c, index) => ({ index, prompt: promptOf(shared === null ? c : c.slice(1)) }));
  return [
    { role: 'system', content: `${shared === null ? '' : `${shared}\n\n`}${PRIORITY_INSTRUCTIONS[band]}\n${REPLY_INSTRUCTION}` },
    { role: 'user', content: `${COMBINED_REQUESTS_HEADER}\n${JSON.stringify(items)}` },
  ];
}

const ItemsSchema = z.array(z.object({ index: z.number().int().nonnegative(), prompt: z.string() })).min(1);

/** The numbered prompts of a combined request, or null for any other request. */
export function combinedRequestItems(messages: readonly ChatMessage[]): CombinedRequestItem[] | null {
  const user = messages.find((m) => m.role === 'user');
  const text = user ? messageText(user) : '';
  if (!text.startsWith(`${COMBINED_REQUESTS_HEADER}\n`)) return null;
  try {
    const parsed = ItemsSchema.safeParse(JSON.parse(text.slice(COMBINED_REQUESTS_HEADER.length + 1)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const CombinedReplySchema = z.object({
  answers: z.array(z.object({ index: z.number().int().nonnegative(), text: z.string() })),
});

/**
 * The answers of a combined reply by index, for the indexes 0…size-1 it answers exactly once with text; the rest
 * cannot be split (absent, empty, given twice), and the reply as a whole not at all unless it is that JSON object
 * (a code fence around it is tolerated: models add one despite the instruction).
 */
export function splitCombinedReply(reply: string, size: number): Map<number, string> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(reply);
  let parsed: z.infer<typeof CombinedReplySchema>;
  try {
    const result = CombinedReplySchema.safeParse(JSON.parse(fenced ? fenced[1]! : reply));
    if (!result.success) return new Map();
    parsed = result.data;
  } catch {
    return new Map();
  }
  const answers = new Map<number, string>();
  const repeated = new Set<number>();
  for (const { index, text } of parsed.answers) {
    if (index >= size) continue;
    if (answers.has(index)) repeated.add(index);
    answers.set(index, text);
  }
  for (const index of [...answers.keys()]) if (repeated.has(index) || answers.get(index)!.trim() === '') answers.delete(index);
  return answers;
}
