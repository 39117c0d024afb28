import type { JobChunk, JobChunkStore } from '@conveyor/database';
import { JobDeltasHandler } from './job-deltas.handler';

const A = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7a';
const B = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const delta = (jobId: string, seq: number) => ({ job_id: jobId, tenant_id: 't', attempt: 1, seq, content: `${jobId.slice(-1)}${seq}` });

describe('JobDeltasHandler', () => {
  it("writes a job.deltas' chunks with the single chunks that came with them, in one insert, and settles each message after it", async () => {
    const inserts: JobChunk[][] = [];
    let release!: () => void;
    const written = new Promise<void>((resolve) => (release = resolve));
    const store = { insertMany: async (chunks: JobChunk[]) => (inserts.push([...chunks]), written) } as unknown as JobChunkStore;
    const handler = new JobDeltasHandler(store);
    const settled: string[] = [];
    const single = handler.delta(delta(A, 0)).then(() => settled.push('single'));
    const several = handler.deltas({ chunks: [delta(B, 0), delta(A, 1), delta(B, 1)] }).then(() => settled.push('several'));
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
});
