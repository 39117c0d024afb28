import type { OutgoingHttpHeaders } from 'node:http';
import type { Reply } from './mock-upstream.server';
import { jsonReply, type SseFrame } from './reply.util';

export interface AnthropicStreamScript {
  model?: string;
  pieces: readonly string[];
  /** Omit to cut the message off before `message_delta` (no stop reason, no output usage). */
  stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  inputTokens?: number;
  outputTokens?: number;
  /** An `error` event sent after the text instead of the message's end, e.g. `overloaded_error`. */
  errorType?: string;
  /** `tool_use` blocks after the text block, each input streamed as these `input_json_delta` fragments. */
  toolUses?: ReadonlyArray<{ id: string; name: string; jsonFragments: readonly string[] }>;
}

/**
 * Anthropic's Messages streaming framing, event for event: `message_start` (with input usage), a text block's
 * `content_block_start` / `content_block_delta`s / `content_block_stop` with a `ping` among them, any `tool_use`
 * blocks (their input as `input_json_delta` fragments), then
 * `message_delta` (stop reason and output usage) and `message_stop`. Each frame names its event type.
 */
export function anthropicStreamFrames(script: AnthropicStreamScript): SseFrame[] {
  const event = (type: string, data: Record<string, unknown>): SseFrame => ({ event: type, data: { type, ...data } });
  const frames: SseFrame[] = [
    event('message_start', {
      message: {
        id: 'msg_mock_1',
        type: 'message',
        role: 'assistant',
        content: [],
        model: script.model ?? 'claude-mock-model',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: script.inputTokens ?? 12, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...script.pieces.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
  ];
  if (script.errorType) return [...frames, event('error', { error: { type: script.errorType, message: `mock ${script.errorType}` } })];
  frames.push(event('content_block_stop', { index: 0 }));
  (script.toolUses ?? []).forEach((tool, i) => {
    const index = i + 1;
    frames.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: tool.id, name: tool.name, input: {} } }));
    for (const partial_json of tool.jsonFragments) frames.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }));
    frames.push(event('content_block_stop', { index }));
  });
  if (!script.stopReason) return frames;
  return [
    ...frames,
    event('message_delta', { delta: { stop_reason: script.stopReason, stop_sequence: null }, usage: { output_tokens: script.outputTokens ?? 5 } }),
    event('message_stop', {}),
  ];
}

/** An Anthropic error answer: `{"type":"error","error":{"type","message"}}`. */
export function anthropicErrorReply(status: number, type: string, message: string, headers: OutgoingHttpHeaders = {}): Reply {
  return jsonReply(status, { type: 'error', error: { type, message }, request_id: 'req_mock_1' }, headers);
}
