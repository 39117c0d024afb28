import type { OutgoingHttpHeaders } from 'node:http';
import type { Reply } from './mock-upstream.server';
import { jsonReply, type SseFrame } from './reply.util';

export interface GeminiStreamScript {
  pieces: readonly string[];
  /** Omit to end the stream without a finish reason (a truncated stream). */
  finishReason?: 'STOP' | 'MAX_TOKENS' | 'SAFETY';
  usage?: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
  /** `functionCall` parts, sent whole in one last chunk after the text, as Gemini does. */
  functionCalls?: ReadonlyArray<{ name: string; args: Record<string, unknown> }>;
}

/**
 * Gemini's `streamGenerateContent?alt=sse` framing: unnamed SSE events whose `data:` is one GenerateContentResponse
 * each, the text in `candidates[0].content.parts`, the last one carrying `finishReason`, and `usageMetadata` on
 * every chunk (running totals, final on the last), as the API sends them; function calls come as `functionCall`
 * parts of a chunk of their own.
 */
export function geminiStreamFrames(script: GeminiStreamScript): SseFrame[] {
  const usage = script.usage ?? { promptTokenCount: 8, candidatesTokenCount: 4, totalTokenCount: 12 };
  const partsOfChunks: Array<Array<Record<string, unknown>>> = script.pieces.map((text) => [{ text }]);
  if (script.functionCalls) partsOfChunks.push(script.functionCalls.map((functionCall) => ({ functionCall })));
  return partsOfChunks.map((parts, i) => {
    const last = i === partsOfChunks.length - 1;
    const finish = last && script.finishReason ? { finishReason: script.finishReason } : {};
    const running = last ? usage : { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount };
    return {
      data: {
        candidates: [{ content: { role: 'model', parts }, index: 0, ...finish }],
        usageMetadata: running,
        modelVersion: 'gemini-2.0-flash',
        responseId: 'mock-response-1',
      },
    };
  });
}

/**
 * A Google API error: `{"error": {code, message, status, details}}`. Google says when to retry in the body's
 * `google.rpc.RetryInfo` rather than in a header, so `retryDelaySeconds` adds one.
 */
export function geminiErrorReply(status: number, googleStatus: string, message: string, retryDelaySeconds?: number, headers: OutgoingHttpHeaders = {}): Reply {
  const details = retryDelaySeconds === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryDelaySeconds}s` }];
  return jsonReply(status, { error: { code: status, message, status: googleStatus, details } }, headers);
}
