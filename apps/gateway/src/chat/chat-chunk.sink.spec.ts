import type { SseWriter } from '@conveyor/stream';
import { ChatChunkSink } from './chat-chunk.sink';
import { ChatStreamEventSchema } from './chat-views.schema';

function sink(resumedWithText = false) {
  const frames: Array<{ data: unknown; id?: string }> = [];
  let closed = false;
  const writer = {
    data: (data: unknown, id?: string) => !closed && frames.push({ data, id }),
    close: () => (closed = true),
    drained: () => Promise.resolve(),
    get isClosed() {
      return closed;
    },
  } as unknown as SseWriter;
  return { frames, sink: new ChatChunkSink(writer, resumedWithText), isClosed: () => closed };
}

describe('ChatChunkSink (seed 004 SSE)', () => {
  it('sends chunk frames with the resume ids, then complete; queued and started are not part of the format', () => {
    const { sink: s, frames, isClosed } = sink();
    s.event('queued', 'q', {});
    s.event('started', 'a1:0', { attempt: 1 });
    s.event('delta', 'a1:5', { content: 'Hello' });
    s.event('delta', 'a1:6', { content: '!' });
    s.event('completed', 'end', { finish_reason: 'stop', usage: {} });
    expect(frames).toEqual([
      { data: { type: 'chunk', content: 'Hello' }, id: 'a1:5' },
      { data: { type: 'chunk', content: '!' }, id: 'a1:6' },
      { data: { type: 'complete', finish_reason: 'stop' }, id: 'end' },
    ]);
    for (const { data } of frames) expect(ChatStreamEventSchema.safeParse(data).success).toBe(true);
    expect(isClosed()).toBe(true);
  });

  it('ends a failed or cancelled job with an error frame', () => {
    const failed = sink();
    failed.sink.event('failed', 'end', { error: { code: 'deadline_exceeded', message: 'too slow' } });
    expect(failed.frames).toEqual([{ data: { type: 'error', message: 'too slow', code: 'deadline_exceeded' }, id: undefined }]);
    expect(failed.isClosed()).toBe(true);
    const cancelled = sink();
    cancelled.sink.event('cancelled', 'end', {});
    expect(cancelled.frames[0]!.data).toMatchObject({ type: 'error', code: 'job_cancelled' });
  });

  it('passes over a restart before any text, but not once the client holds text, resumed or not', () => {
    const fresh = sink();
    fresh.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(fresh.frames).toEqual([]);
    const resumed = sink(true);
    resumed.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(resumed.frames[0]!.data).toMatchObject({ type: 'error', code: 'job_failed' });
    expect(resumed.isClosed()).toBe(true);
  });
});
