import { MAX_CHUNKS_PER_MESSAGE, type JobDelta, type MessagePayload, type MessageType } from '@conveyor/contracts';
import { DeltaOutbox } from './delta-outbox';
import { ManualTimer } from './manual.timer';

const A = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7a';
const B = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const chunk = (jobId: string, seq: number, content = 'x'): JobDelta => ({ job_id: jobId, tenant_id: 't', attempt: 1, seq, content });

function setUp(windowMs = 5) {
  const timer = new ManualTimer();
  const sent: Array<{ type: MessageType; payload: unknown; cc?: readonly string[] }> = [];
  const publisher = {
    publish: async <T extends MessageType>(type: T, payload: MessagePayload<T>, options: { cc?: readonly string[] } = {}) => {
      sent.push({ type, payload, ...(options.cc && { cc: options.cc }) });
    },
  };
  return { timer, sent, outbox: new DeltaOutbox(publisher, windowMs, timer) };
}

describe('DeltaOutbox', () => {
  it('sends a chunk after a quiet window at once, alone, as a job.delta', () => {
    const { sent, outbox } = setUp();
    outbox.add(chunk(A, 0, 'Hel'));
    expect(sent).toEqual([{ type: 'job.delta', payload: chunk(A, 0, 'Hel') }]);
  });

  it('gathers the chunks close behind a send, of every job, into one job.deltas routed to each job once', () => {
    const { timer, sent, outbox } = setUp();
    outbox.add(chunk(A, 0));
    timer.advance(1);
    outbox.add(chunk(B, 0));
    outbox.add(chunk(A, 1));
    outbox.add(chunk(B, 1));
    expect(sent).toHaveLength(1);
    timer.advance(3);
    expect(sent).toHaveLength(1);
    timer.advance(1);
    expect(sent[1]).toEqual({ type: 'job.deltas', payload: { chunks: [chunk(B, 0), chunk(A, 1), chunk(B, 1)] }, cc: [`job.deltas.${A}`] });
  });

  it('flush sends what is gathered at once (before a job ends), and the window starts again from there', () => {
    const { timer, sent, outbox } = setUp();
    outbox.add(chunk(A, 0));
    outbox.add(chunk(A, 1));
    outbox.flush();
    expect(sent.map((s) => s.type)).toEqual(['job.delta', 'job.delta']);
    expect(timer.pending).toBeNull();
    outbox.add(chunk(A, 2));
    expect(sent).toHaveLength(2);
    timer.advance(5);
    expect(sent).toHaveLength(3);
    outbox.flush();
    expect(sent).toHaveLength(3);
  });

  it(`sends at once when ${MAX_CHUNKS_PER_MESSAGE} chunks are gathered`, () => {
    const { sent, outbox } = setUp();
    outbox.add(chunk(A, 0));
    for (let i = 1; i <= MAX_CHUNKS_PER_MESSAGE; i++) outbox.add(chunk(A, i));
    expect(sent).toHaveLength(2);
    expect((sent[1]!.payload as { chunks: JobDelta[] }).chunks).toHaveLength(MAX_CHUNKS_PER_MESSAGE);
  });

  it('with a window of 0, sends every chunk at once', () => {
    const { sent, outbox } = setUp(0);
    outbox.add(chunk(A, 0));
    outbox.add(chunk(B, 0));
    outbox.add(chunk(A, 1));
    expect(sent.map((s) => s.type)).toEqual(['job.delta', 'job.delta', 'job.delta']);
  });
});
