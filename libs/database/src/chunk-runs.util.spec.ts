import { chunkRuns, chunksOfRuns } from './chunk-runs.util';

const A = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7a';
const B = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const chunk = (jobId: string, attempt: number, seq: number, content = `${seq}`) => ({ jobId, attempt, seq, content });

describe('chunk runs', () => {
  it("makes one run of each attempt's consecutive chunks, whatever order they came in, and a new run at a gap", () => {
    const runs = chunkRuns([chunk(A, 1, 2), chunk(B, 1, 0), chunk(A, 1, 0), chunk(A, 1, 1), chunk(A, 1, 4), chunk(B, 2, 0), chunk(A, 1, 5)]);
    expect(runs).toEqual([
      { jobId: A, attempt: 1, seq: 0, texts: ['0', '1', '2'] },
      { jobId: A, attempt: 1, seq: 4, texts: ['4', '5'] },
      { jobId: B, attempt: 1, seq: 0, texts: ['0'] },
      { jobId: B, attempt: 2, seq: 0, texts: ['0'] },
    ]);
  });

  it('keeps the first text of a seq that comes twice', () => {
    expect(chunkRuns([chunk(A, 1, 0, 'first'), chunk(A, 1, 0, 'again'), chunk(A, 1, 1)])).toEqual([{ jobId: A, attempt: 1, seq: 0, texts: ['first', '1'] }]);
  });

  it('answers one chunk per seq from overlapping runs, in order', () => {
    const chunks = chunksOfRuns([
      { jobId: A, attempt: 1, seq: 0, texts: ['a', 'b', 'c'] },
      { jobId: A, attempt: 1, seq: 2, texts: ['c', 'd'] },
      { jobId: A, attempt: 1, seq: 5, texts: ['f'] },
    ]);
    expect(chunks).toEqual([chunk(A, 1, 0, 'a'), chunk(A, 1, 1, 'b'), chunk(A, 1, 2, 'c'), chunk(A, 1, 3, 'd'), chunk(A, 1, 5, 'f')]);
  });
});
