import type { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { ChatTextSink } from './chat-text.sink';

const ID = '0190a000-0000-7000-8000-000000000001';

function sink() {
  const calls: Array<[string, ...unknown[]]> = [];
  let open = false;
  const writer = {
    write: (text: string) => {
      open = true;
      calls.push(['write', text]);
    },
    close: () => calls.push(['close']),
    abort: () => calls.push(['abort']),
    fail: (status: number, headers: Record<string, string>, body: unknown) => calls.push(['fail', status, headers, body]),
    drained: () => Promise.resolve(),
    isClosed: false,
    get isOpen() {
      return open;
    },
  } as unknown as ChunkedHttpWriter;
  return { calls, sink: new ChatTextSink(writer, ID) };
}

describe('ChatTextSink (seed 004 POST /chat, text/plain)', () => {
  it('writes the text itself as it comes and ends the response at completion', () => {
    const s = sink();
    s.sink.event('queued', 'q', {});
    s.sink.event('delta', 'a1:5', { content: 'Hello' });
    s.sink.event('delta', 'a1:6', { content: '!' });
    s.sink.event('completed', 'end', { finish_reason: 'stop', usage: {} });
    expect(s.calls).toEqual([['write', 'Hello'], ['write', '!'], ['close']]);
  });

  it("answers a job that fails before any text with an error status and OpenAI's body", () => {
    const s = sink();
    s.sink.event('failed', 'end', { error: { code: 'providers_unavailable', message: 'none' } });
    expect(s.calls).toEqual([
      ['fail', 503, expect.objectContaining({ 'retry-after': expect.any(String) }), { error: expect.objectContaining({ code: 'providers_unavailable' }) }],
    ]);
  });

  it('breaks the response on a restart after text, rather than send a text that looks whole', () => {
    const s = sink();
    s.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(s.calls).toEqual([]);
    s.sink.event('delta', 'a2:2', { content: 'hi' });
    s.sink.event('restart', 'a3:0', { attempt: 3 });
    expect(s.calls.at(-1)).toEqual(['abort']);
  });
});
