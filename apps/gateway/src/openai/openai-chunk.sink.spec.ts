import type { SseWriter } from '@conveyor/stream';
import { chunkHeaderOf } from './chat-completion-chunk.mapper';
import { OpenAiChunkSink } from './openai-chunk.sink';

const JOB = { id: '0190a000-0000-7000-8000-000000000001', model: 'm-1', createdAt: new Date('2026-01-01T00:00:00Z') };
const USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };

/** A writer that records the `data:` payloads it was given. */
function fakeWriter() {
  const frames: unknown[] = [];
  let closed = false;
  const writer = {
    data: (d: unknown) => !closed && frames.push(d),
    close: () => (closed = true),
    get isClosed() {
      return closed;
    },
  };
  return { frames, writer: writer as unknown as SseWriter, isClosed: () => closed };
}

function sinkWith(includeUsage: boolean) {
  const fake = fakeWriter();
  return { ...fake, sink: new OpenAiChunkSink(fake.writer, chunkHeaderOf(JOB, includeUsage), JOB.id) };
}

describe('OpenAiChunkSink', () => {
  it('sends the role delta, the content deltas, the finish chunk and [DONE]', () => {
    const { sink, frames } = sinkWith(false);
    sink.begin();
    sink.event('queued', 'q', {});
    sink.event('started', 'a1:0', { attempt: 1 });
    sink.event('delta', 'a1:3', { content: 'Hel' });
    sink.event('delta', 'a1:5', { content: 'lo' });
    sink.event('completed', 'end', { finish_reason: 'stop', usage: USAGE });
    expect(frames).toEqual([
      {
        id: `chatcmpl-${JOB.id}`,
        object: 'chat.completion.chunk',
        created: 1767225600,
        model: 'm-1',
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      },
      expect.objectContaining({ choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] }),
      expect.objectContaining({ choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] }),
      expect.objectContaining({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      '[DONE]',
    ]);
    expect(frames[1]).not.toHaveProperty('usage');
  });

  it('with include_usage, gives every chunk usage: null and adds a choiceless usage chunk before [DONE]', () => {
    const { sink, frames } = sinkWith(true);
    sink.begin();
    sink.event('delta', 'a1:2', { content: 'hi' });
    sink.event('completed', 'end', { finish_reason: 'length', usage: USAGE });
    expect(frames.slice(0, 3).map((f) => (f as { usage: unknown }).usage)).toEqual([null, null, null]);
    expect(frames[3]).toEqual({ id: `chatcmpl-${JOB.id}`, object: 'chat.completion.chunk', created: 1767225600, model: 'm-1', choices: [], usage: USAGE });
    expect(frames[4]).toBe('[DONE]');
  });

  it('sends the tool calls, indexed, before the finish chunk', () => {
    const { sink, frames } = sinkWith(false);
    sink.toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }];
    sink.event('completed', 'end', { finish_reason: 'tool_calls', usage: USAGE });
    expect(frames[0]).toEqual(
      expect.objectContaining({
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
            finish_reason: null,
          },
        ],
      }),
    );
    expect(frames[1]).toEqual(expect.objectContaining({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
  });

  it('ignores a restart before any text, but ends the stream with an error after text', () => {
    const early = sinkWith(false);
    early.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(early.frames).toEqual([]);
    expect(early.isClosed()).toBe(false);

    const late = sinkWith(false);
    late.sink.event('delta', 'a1:2', { content: 'hi' });
    late.sink.event('restart', 'a2:0', { attempt: 2 });
    expect(late.frames[1]).toEqual({ error: expect.objectContaining({ code: 'job_failed', type: 'server_error' }) });
    expect(late.isClosed()).toBe(true);
  });

  it('ends a failed job with an OpenAI error frame and no [DONE]', () => {
    const { sink, frames, isClosed } = sinkWith(false);
    sink.event('failed', 'end', { error: { code: 'deadline_exceeded', message: 'too slow' } });
    expect(frames).toEqual([{ error: { message: `Job ${JOB.id} failed: too slow`, type: 'server_error', param: null, code: 'deadline_exceeded' } }]);
    expect(isClosed()).toBe(true);
  });
});
