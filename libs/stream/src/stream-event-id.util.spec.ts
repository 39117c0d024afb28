import { InvalidCursorError, needsRestart, parseCursor, startOffset, textEventId } from './stream-event-id.util';

describe('stream event ids', () => {
  it('round-trips a text id into a cursor that resumes after it', () => {
    const cursor = parseCursor(textEventId(2, 17));
    expect(cursor).toEqual({ kind: 'text', attempt: 2, offset: 17 });
    expect(startOffset(cursor, 2)).toBe(17);
    expect(needsRestart(cursor, 2)).toBe(false);
  });

  it('starts a later attempt over from 0, with a restart', () => {
    const cursor = parseCursor('a1:40');
    expect(startOffset(cursor, 2)).toBe(0);
    expect(needsRestart(cursor, 2)).toBe(true);
  });

  it('treats no id and the queued id as fresh, and end as end', () => {
    expect(parseCursor(undefined)).toEqual({ kind: 'fresh' });
    expect(parseCursor('q')).toEqual({ kind: 'fresh' });
    expect(parseCursor('end')).toEqual({ kind: 'end' });
    expect(needsRestart({ kind: 'fresh' }, 1)).toBe(false);
  });

  it.each(['garbage', 'a0:1', 'a1:', 'a1:-3', '12'])('refuses %p', (raw) => {
    expect(() => parseCursor(raw)).toThrow(InvalidCursorError);
  });
});
