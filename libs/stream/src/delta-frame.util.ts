/**
 * The most characters one `delta` event carries. Stored text reaches a session in large pieces (the replayed
 * chunks of an attempt, the missing suffix of a stored result, a whole result for a late subscriber); written as
 * one frame, a 10 MB result would be one 10 MB write that no client buffer cap can bound. JSON escaping at most
 * sextuples a character, so a frame stays under ~50 KB.
 */
export const MAX_DELTA_CHARS = 8 * 1024;

/**
 * Where the delta starting at `from` ends: at most `maxChars` later, and never between the two halves of a
 * surrogate pair, so every event carries valid text and its `a<attempt>:<offset>` id stays a resumable cursor.
 */
export function deltaFrameEnd(text: string, from: number, maxChars = MAX_DELTA_CHARS): number {
  let end = Math.min(text.length, from + maxChars);
  if (end < text.length && end > from + 1 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return end;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
