import type { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { CompleteStreamLineSchema } from './complete-views.schema';
import { NdjsonChunkSink } from './ndjson-chunk.sink';

function sink() {
  let body = '';
  let closed = false;
  const writer = {
    write: (text: string) => {
      if (!closed) body += text;
    },
    close: () => (closed = true),
    drained: () => Promise.resolve(),
    get isClosed() {
      return closed;
    },
  } as unknown as ChunkedHttpWriter;
  const lines = () =>
    body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  return { sink: new NdjsonChunkSink(writer), lines, body: () => body, isClosed: () => closed };
}

describe('NdjsonChunkSink (seed 003 /complete/stream)', () => {
  it('writes one chunk line per delta, then done, each line JSON ending in a newline', () => {
    const s = sink();
    s.sink.event('queued', 'q', {});
    s.sink.event('started', 'a1:0', { attempt: 1 });
    s.sink.event('delta', 'a1:3', { content: 'Hel' });
    s.sink.event('delta', 'a1:5', { content: 'lo\n' });
    s.sink.event('completed', 'end', { finish_reason: 'stop', usage: {} });
    expect(s.lines()).toEqual([{ type: 'chunk', text: 'Hel' }, { type: 'chunk', text: 'lo\n' }, { type: 'done' }]);
    expect(s.body().endsWith('\n')).toBe(true);
    for (const line of s.lines()) expect(CompleteStreamLineSchema.safeParse(line).success).toBe(true);
    expect(s.isClosed()).toBe(true);
  });

  it("says the seed's message when no provider could serve the job, the job's own otherwise", () => {
    const unavailable = sink();
    unavailable.sink.event('failed', 'end', { error: { code: 'providers_unavailable', message: 'every deployment failed' } });
    expect(unavailable.lines()).toEqual([{ type: 'error', message: 'All providers unavailable', code: 'providers_unavailable' }]);
    expect(unavailable.isClosed()).toBe(true);
    const bad = sink();
    bad.sink.event('failed', 'end', { error: { code: 'provider_error', message: 'invalid key' } });
    expect(bad.lines()).toEqual([{ type: 'error', message: 'invalid key', code: 'provider_error' }]);
    const expired = sink();
    expired.sink.event('expired', 'end', { expired_at: null });
    expect(expired.lines()).toEqual([{ type: 'error', message: 'The job expired before it started.', code: 'job_expired' }]);
  });

  it('passes over a restart before any text, but ends with an error line after text', () => {
    const early = sink();
    early.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(early.lines()).toEqual([]);
    expect(early.isClosed()).toBe(false);
    const late = sink();
    late.sink.event('delta', 'a1:2', { content: 'hi' });
    late.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(late.lines()[1]).toMatchObject({ type: 'error', code: 'job_failed' });
    expect(late.isClosed()).toBe(true);
  });
});
