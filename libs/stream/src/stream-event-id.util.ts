/**
 * Event ids of `GET /v1/jobs/{id}/stream`, which are also its resume cursors. A text-bearing event's id is
 * `a<attempt>:<offset>`: the attempt whose text is being relayed and how many characters (UTF-16 code units)
 * of that attempt's text the client holds after the event. `q` marks the queued event (nothing held yet) and
 * `end` a terminal event. A cursor says exactly what the client already has, so a resume continues after it
 * whatever was or was not stored, and needs no per-event counter shared between replicas.
 */
export type StreamCursor = { kind: 'fresh' } | { kind: 'text'; attempt: number; offset: number } | { kind: 'end' };

export class InvalidCursorError extends Error {}

export const QUEUED_ID = 'q';
export const END_ID = 'end';

export function textEventId(attempt: number, offset: number): string {
  return `a${attempt}:${offset}`;
}

/** Reads `Last-Event-ID` (or `?last_event_id=`); absent means a fresh subscription. Throws on anything else. */
export function parseCursor(raw: string | undefined | null): StreamCursor {
  if (raw === undefined || raw === null || raw.trim() === '' || raw.trim() === QUEUED_ID) return { kind: 'fresh' };
  const value = raw.trim();
  if (value === END_ID) return { kind: 'end' };
  const match = /^a([1-9]\d{0,8}):(\d{1,12})$/.exec(value);
  if (!match) throw new InvalidCursorError(`Invalid Last-Event-ID '${value.slice(0, 64)}': expected an id this stream sent (a<attempt>:<offset>, q or end).`);
  return { kind: 'text', attempt: Number(match[1]), offset: Number(match[2]) };
}

/**
 * Where a subscriber starts in an attempt's text: the cursor's offset when it points into that same attempt,
 * otherwise 0 (a fresh client, or one that held an earlier attempt, which is told to start over).
 */
export function startOffset(cursor: StreamCursor, attempt: number): number {
  return cursor.kind === 'text' && cursor.attempt === attempt ? cursor.offset : 0;
}

/** True when the client held text of an attempt other than `attempt`, so it must hear `restart` first. */
export function needsRestart(cursor: StreamCursor, attempt: number): boolean {
  return cursor.kind === 'text' && cursor.attempt !== attempt;
}
