import type { SseWriter } from '@conveyor/stream';
import { TaskProgressEventSchema } from './generate-views.schema';
import { TaskProgressSink } from './task-progress.sink';

const ID = '0190a000-0000-7000-8000-000000000001';

function sink() {
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
  return { frames, data: () => frames.map((f) => f.data), sink: new TaskProgressSink(writer, ID), isClosed: () => closed };
}

describe('TaskProgressSink (seed 001 SSE)', () => {
  it('sends {status, message} frames, the text as deltas, and the whole result on completed', () => {
    const { sink: s, data, frames, isClosed } = sink();
    s.event('queued', 'q', {});
    s.event('started', 'a1:0', { attempt: 1 });
    s.event('delta', 'a1:3', { content: 'Hel' });
    s.event('delta', 'a1:5', { content: 'lo' });
    s.event('completed', 'end', { finish_reason: 'stop', usage: {} });
    expect(data()).toEqual([
      { task_id: ID, status: 'queued', message: 'Task is waiting in queue' },
      { task_id: ID, status: 'processing', message: 'Task is currently being processed' },
      { task_id: ID, status: 'processing', message: 'Generating', delta: 'Hel' },
      { task_id: ID, status: 'processing', message: 'Generating', delta: 'lo' },
      { task_id: ID, status: 'completed', message: 'Task completed successfully', result: 'Hello' },
    ]);
    expect(frames.every((f) => f.id === undefined)).toBe(true);
    for (const frame of data()) expect(TaskProgressEventSchema.safeParse(frame).success).toBe(true);
    expect(isClosed()).toBe(true);
  });

  it('starts the result over at a restart, so completed holds only the final attempt', () => {
    const { sink: s, data } = sink();
    s.event('delta', 'a1:5', { content: 'wrong' });
    s.event('restart', 'a2:0', { attempt: 2 });
    s.event('delta', 'a2:5', { content: 'right' });
    s.event('completed', 'end', { finish_reason: 'stop', usage: {} });
    expect(data()[1]).toMatchObject({ status: 'processing', restarted: true });
    expect(data().at(-1)).toMatchObject({ status: 'completed', result: 'right' });
  });

  it('ends a failed task with status failed and the error type, a cancelled one as JobCancelled', () => {
    const failed = sink();
    failed.sink.event('failed', 'end', { error: { code: 'providers_unavailable', message: 'no provider' } });
    expect(failed.data()).toEqual([{ task_id: ID, status: 'failed', message: 'Task failed: no provider', error_type: 'ProvidersUnavailable' }]);
    expect(failed.isClosed()).toBe(true);
    const cancelled = sink();
    cancelled.sink.event('cancelled', 'end', {});
    expect(cancelled.data()).toEqual([{ task_id: ID, status: 'failed', message: 'Task was cancelled', error_type: 'JobCancelled' }]);
    const expired = sink();
    expired.sink.event('expired', 'end', { expired_at: null });
    expect(expired.data()).toEqual([{ task_id: ID, status: 'failed', message: 'Task expired before it started', error_type: 'JobExpired' }]);
  });
});
