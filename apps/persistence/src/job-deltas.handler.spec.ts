import type { JobChunk, JobChunkStore } from '@conveyor/database';
import { JobDeltasHandler, MAX_MESSAGES_PER_BATCH } from './job-deltas.handler';

const A = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7a';
const B = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const delta = (jobId: string, seq: number) => ({ job_id: jobId, tenant_id: 't', attempt: 1, seq, content: `${jobId.slice(-1)}${seq}` });
const config = (storeMs: number) => ({ streaming: { storeMs } }) as never;

function recordingStore(): { store: JobChunkStore; inserts: JobChunk[][]; release: () => void } {
  const inserts: JobChunk[][] = [];
  let release!: () => void;
  const written = new Promise<void>((resolve) => (release = resolve));
  const store = { insertMany: async (chunks: JobChunk[]) => (inserts.push([...chunks]), written) } as unknown as JobChunkStore;
  return { store, inserts, release: () => release() };
}

describe('JobDeltasHandler', () => {
  it("writes a job.deltas' chunks with the single chunks that came within the window, in one insert, and settles each message after it", async () => {
    const { store, inserts, release } = recordingStore();
    const handler = new JobDeltasHandler(store, config(30));
    const settled: string[] = [];
    const single = handler.delta(delta(A, 0)).then(() => settled.push('single'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const several = handler.deltas({ chunks: [delta(B, 0), delta(A, 1), delta(B, 1)] }).then(() => settled.push('several'));
    expect(inserts).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(inserts).toEqual([
      [
        { jobId: A, attempt: 1, seq: 0, content: 'a0' },
        { jobId: B, attempt: 1, seq: 0, content: 'b0' },
        { jobId: A, attempt: 1, seq: 1, content: 'a1' },
        { jobId: B, attempt: 1, seq: 1, content: 'b1' },
      ],
    ]);
    expect(settled).toEqual([]);
    release();
    await Promise.all([single, several]);
    expect(settled.sort()).toEqual(['several', 'single']);
  });

  it('does not wait out the window once a batch holds enough messages, so the prefetch never runs dry', async () => {
    const { store, inserts, release } = recordingStore();
    const handler = new JobDeltasHandler(store, config(60_000));
    const messages = Array.from({ length: MAX_MESSAGES_PER_BATCH + 1 }, (_, seq) => handler.delta(delta(A, seq)));
    expect(inserts.map((batch) => batch.length)).toEqual([MAX_MESSAGES_PER_BATCH]);
    release();
    await Promise.all(messages.slice(0, MAX_MESSAGES_PER_BATCH));
    await handler.onModuleDestroy();
    await messages[MAX_MESSAGES_PER_BATCH];
    expect(inserts.map((batch) => batch.length)).toEqual([MAX_MESSAGES_PER_BATCH, 1]);
  });
});
