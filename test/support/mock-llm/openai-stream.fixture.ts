import type { OutgoingHttpHeaders } from 'node:http';
import type { Reply } from './mock-upstream.server';
import { jsonReply, type SseFrame } from './reply.util';

export interface OpenAiStreamScript {
  model?: string;
  /** The text, as the upstream splits it into content deltas. */
  pieces: readonly string[];
  /** Omit to end the content without a finish reason (a truncated stream). */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The `include_usage` chunk; omit for a server that reports none (older vLLM, llama.cpp). */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** Whether to close with `data: [DONE]`. */
  done?: boolean;
  /** Tool calls, streamed after the text: each call's id and name first, then its arguments in these fragments. */
  toolCalls?: ReadonlyArray<{ id: string; name: string; argumentFragments: readonly string[] }>;
}

/**
 * OpenAI's streaming framing, chunk for chunk: a role delta with empty content, one `chat.completion.chunk` per
 * piece, then any tool calls as `delta.tool_calls` fragments sharing their call's `index` (id and name in the first,
 * the arguments' JSON split over the rest), a last chunk with an empty delta and `finish_reason`, then (with `include_usage`) a chunk with
 * `choices: []` and `usage`, every other chunk carrying `usage: null`, and finally `data: [DONE]`.
 */
export function openAiStreamFrames(script: OpenAiStreamScript): SseFrame[] {
  const model = script.model ?? 'gpt-4o-mini';
  const withUsage = script.usage !== undefined;
  const chunk = (choices: unknown[], usage: unknown = null): SseFrame => ({
    data: {
      id: 'chatcmpl-mock-1',
      object: 'chat.completion.chunk',
      created: 1_760_000_000,
      model,
      system_fingerprint: 'fp_mock',
      choices,
      ...(withUsage && { usage }),
    },
  });
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  const frames: SseFrame[] = [chunk([choice({ role: 'assistant', content: '' })])];
  for (const piece of script.pieces) frames.push(chunk([choice({ content: piece })]));
  (script.toolCalls ?? []).forEach((call, index) => {
    const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    frames.push(chunk([choice({ tool_calls: [head] })]));
    for (const fragment of call.argumentFragments) frames.push(chunk([choice({ tool_calls: [{ index, function: { arguments: fragment } }] })]));
  });
  if (script.finishReason) frames.push(chunk([choice({}, script.finishReason)]));
  if (script.usage) frames.push(chunk([], script.usage));
  if (script.done ?? true) frames.push({ data: '[DONE]' });
  return frames;
}

/** An OpenAI error answer: `{"error": {message, type, param, code}}` with the given status and headers. */
export function openAiErrorReply(status: number, message: string, headers: OutgoingHttpHeaders = {}): Reply {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return jsonReply(status, { error: { message, type, param: null, code: null } }, headers);
}
