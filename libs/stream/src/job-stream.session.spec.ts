import type { JobRecord } from '@conveyor/contracts';
import type { JobChunk, JobChunkStore } from '@conveyor/database';
import { JobStreamSession, type StreamSink } from './job-stream.session';
import { parseCursor } from './stream-event-id.util';

const JOB = '0190a5c8-0000-7000-8000-000000000001';

function sink() {
  const events: Array<{ name: string; id: string; data: any }> = [];
  const s: StreamSink & { events: typeof events } = {
    events,
    isClosed: false,
    event: (name, id, data) => void events.push({ name, id, data }),
    close() {
      (this as { isClosed: boolean }).isClosed = true;
    },
  };
  return s;
}
const store = (chunks: JobChunk[]): JobChunkStore => ({ insertMany: async () => undefined, latestAttempt: async () => chunks });
const chunk = (seq: number, content: string, attempt = 1): JobChunk => ({ jobId: JOB, attempt, seq, content });
const row = (status: string, extra: Partial<JobRecord> = {}) =>
  ({ status, attempts: 1, result: null, error: null, partialResult: null, ...extra }) as JobRecord;
const result = (content: string) => ({
  message: { role: 'assistant' as const, content },
  finish_reason: 'stop' as const,
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  provider: 'p',
  model: 'm',
});
const completed = (content: string, attempt = 1) => ({
  type: 'job.completed' as const,
  payload: { job_id: JOB, tenant_id: 't', attempt, worker_id: 'w', started_at: '', completed_at: '', result: result(content) },
});
const delta = (seq: number, content: string, attempt = 1) => ({ type: 'job.delta' as const, payload: { job_id: JOB, tenant_id: 't', attempt, seq, content } });
const text = (s: ReturnType<typeof sink>) =>
  s.events
    .filter((e) => e.name === 'delta')
    .map((e) => e.data.content)
    .join('');

describe('JobStreamSession', () => {
  it('replays stored chunks, skips live duplicates, and reconciles a lost chunk before completed', async () => {
    const out = sink();
    const session = new JobStreamSession(JOB, parseCursor(undefined), store([chunk(0, 'Hel'), chunk(1, 'lo')]), out);
    session.onEvent(delta(1, 'lo')); // buffered while the row is read: already stored
    session.onEvent(delta(2, ', wor'));
    session.onEvent(completed('Hello, world')); // seq 3 ('ld') was lost
    await session.run(row('running'));
    expect(out.events.map((e) => e.name)).toEqual(['started', 'delta', 'delta', 'delta', 'delta', 'completed']);
    expect(text(out)).toBe('Hello, world');
    expect(out.events.at(-2)!.id).toBe('a1:12');
    expect(out.isClosed).toBe(true);
  });

  it('resumes after the last id without repeating text', async () => {
    const out = sink();
    const session = new JobStreamSession(JOB, parseCursor('a1:3'), store([chunk(0, 'Hel'), chunk(1, 'lo')]), out);
    session.onEvent(completed('Hello'));
    await session.run(row('running'));
    expect(out.events.map((e) => [e.name, e.id])).toEqual([
      ['delta', 'a1:5'],
      ['completed', 'end'],
    ]);
    expect(text(out)).toBe('lo');
  });

  it('sends a restart when a new attempt starts mid-stream, and the text starts over', async () => {
    const out = sink();
    const session = new JobStreamSession(JOB, parseCursor(undefined), store([chunk(0, 'abc')]), out);
    session.onEvent(delta(0, 'xy', 2));
    session.onEvent(completed('xyz', 2));
    await session.run(row('running'));
    expect(out.events.map((e) => e.name)).toEqual(['started', 'delta', 'restart', 'delta', 'delta', 'completed']);
    const afterRestart = out.events.slice(out.events.findIndex((e) => e.name === 'restart') + 1);
    expect(
      afterRestart
        .filter((e) => e.name === 'delta')
        .map((e) => e.data.content)
        .join(''),
    ).toBe('xyz');
  });

  it('gives an after-completion subscriber the whole result as one delta', async () => {
    const out = sink();
    await new JobStreamSession(JOB, parseCursor(undefined), store([]), out).run(row('completed', { result: result('All done.') }));
    expect(out.events.map((e) => [e.name, e.id])).toEqual([
      ['started', 'a1:0'],
      ['delta', 'a1:9'],
      ['completed', 'end'],
    ]);
    expect(text(out)).toBe('All done.');
  });

  it('announces a queued job first', async () => {
    const out = sink();
    const session = new JobStreamSession(JOB, parseCursor(undefined), store([]), out);
    await session.run(row('queued', { attempts: 0 }));
    expect(out.events).toEqual([{ name: 'queued', id: 'q', data: { status: 'queued' } }]);
  });

  describe('standing updates', () => {
    const standing = (position: number) => ({ position, ahead_in_higher_bands: 0, estimated_start_at: null });

    it('sends the standing with the queued event and again on each tick until the job starts', async () => {
      const out = sink();
      const timer = manualTimer();
      const positions = [3, 2, 1];
      const read = jest.fn(async () => standing(positions.shift()!));
      const session = new JobStreamSession(JOB, parseCursor(undefined), store([]), out, undefined, { read, everyMs: 5_000, timer });
      await session.run(row('queued', { attempts: 0 }));
      await fire(timer);
      await fire(timer);
      session.onEvent({ type: 'job.started', payload: { job_id: JOB, tenant_id: 't', attempt: 1, worker_id: 'w', started_at: '' } });
      for (let i = 0; i < 10; i++) await Promise.resolve();
      expect(out.events.map((e) => [e.name, e.data.queue?.position])).toEqual([
        ['queued', 3],
        ['queued', 2],
        ['queued', 1],
        ['started', undefined],
      ]);
      expect(timer.due).toHaveLength(0); // no update after the start
      expect(read).toHaveBeenCalledTimes(3);
    });

    it('stops updating once the standing is gone (the job left the queue) and still sends the first queued event', async () => {
      const out = sink();
      const timer = manualTimer();
      const session = new JobStreamSession(JOB, parseCursor(undefined), store([]), out, undefined, { read: async () => null, everyMs: 5_000, timer });
      await session.run(row('queued', { attempts: 0 }));
      expect(out.events).toEqual([{ name: 'queued', id: 'q', data: { status: 'queued' } }]);
      expect(timer.due).toHaveLength(1);
      await fire(timer);
      expect(out.events).toHaveLength(1);
      expect(timer.due).toHaveLength(0);
    });
  });

  /** A timer fired by hand: the probe's re-reads run when the test says, not after a sleep. */
  function manualTimer() {
    const due: Array<() => void> = [];
    return { due, set: (cb: () => void) => due.push(cb), clear: () => void due.splice(0) };
  }
  const fire = async (timer: ReturnType<typeof manualTimer>) => {
    const callbacks = timer.due.splice(0);
    callbacks.forEach((cb) => cb());
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('ends a resumed stream whose completed event went by before its binding, once the row shows it', async () => {
    // The regression: a client resumes right after the job's completed event was relayed (and the last binding
    // released), but before persistence applied it; the row still reads running and no event will ever come.
    const out = sink();
    const timer = manualTimer();
    const rows = [row('running'), row('completed', { result: result('Hello, world') })];
    const reload = jest.fn(async () => rows.shift()!);
    const session = new JobStreamSession(JOB, parseCursor('a1:5'), store([chunk(0, 'Hel'), chunk(1, 'lo')]), out, { reload, timer });
    await session.run(row('running'));
    expect(out.isClosed).toBe(false);
    await fire(timer); // still running: tries again later
    expect(out.isClosed).toBe(false);
    await fire(timer);
    expect(reload).toHaveBeenCalledTimes(2);
    expect(out.events.map((e) => [e.name, e.id])).toEqual([
      ['delta', 'a1:12'],
      ['completed', 'end'],
    ]);
    expect(text(out)).toBe(', world');
    expect(out.isClosed).toBe(true);
    expect(timer.due).toHaveLength(0);
  });

  it('stops re-reading the row once a live event proves the binding catches the rest', async () => {
    const out = sink();
    const timer = manualTimer();
    const reload = jest.fn(async () => row('running'));
    const session = new JobStreamSession(JOB, parseCursor(undefined), store([]), out, { reload, timer });
    await session.run(row('running'));
    expect(timer.due).toHaveLength(1);
    session.onEvent(delta(0, 'Hi'));
    session.onEvent(completed('Hi'));
    await fire(timer);
    expect(reload).not.toHaveBeenCalled();
    expect(text(out)).toBe('Hi');
    expect(out.events.at(-1)!.name).toBe('completed');
  });

  it("keeps re-reading after an event heard through another client's binding, which may be going away", async () => {
    // The regression: a client resumes while its old connection is let go; the old binding relays one more delta
    // to the new session, then is removed before the new one is in place, and the completed event passes unseen.
    const out = sink();
    const timer = manualTimer();
    const rows = [row('completed', { result: result('Hi there') })];
    const reload = jest.fn(async () => rows.shift()!);
    const session = new JobStreamSession(JOB, parseCursor(undefined), store([]), out, { reload, timer });
    session.onEvent(delta(0, 'Hi'), false);
    await session.run(row('running'));
    expect(timer.due).toHaveLength(1);
    await fire(timer);
    expect(reload).toHaveBeenCalledTimes(1);
    expect(text(out)).toBe('Hi there');
    expect(out.events.at(-1)!.name).toBe('completed');
  });
});
