import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresJobChunkStore, type JobChunk } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';

const chunk = (jobId: string, attempt: number, seq: number, content: string): JobChunk => ({ jobId, attempt, seq, content });

describe('PostgresJobChunkStore', () => {
  let dataSource: DataSource;
  let store: PostgresJobChunkStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresJobChunkStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  it('answers the latest attempt in seq order; a late seq 0 (taken by another replica) joins the others', async () => {
    const job = randomUUID();
    await store.insertMany([chunk(job, 1, 0, 'old')]);
    await store.insertMany([chunk(job, 2, 1, ' world'), chunk(job, 2, 2, '!')]);
    await store.insertMany([chunk(job, 2, 0, 'Hello')]);
    expect((await store.latestAttempt(job)).map((c) => c.content).join('')).toBe('Hello world!');
  });

  it('keeps the first copy of a redelivered chunk', async () => {
    const job = randomUUID();
    await store.insertMany([chunk(job, 1, 0, 'a'), chunk(job, 1, 1, 'b')]);
    await store.insertMany([chunk(job, 1, 1, 'b'), chunk(job, 1, 2, 'c')]);
    expect(await store.latestAttempt(job)).toEqual([chunk(job, 1, 0, 'a'), chunk(job, 1, 1, 'b'), chunk(job, 1, 2, 'c')]);
  });

  it('a restart (seq 0 again) within an attempt replaces the abandoned chunks, across and within batches', async () => {
    const job = randomUUID();
    await store.insertMany([chunk(job, 1, 0, 'abandoned '), chunk(job, 1, 1, 'text')]);
    await store.insertMany([chunk(job, 1, 2, ' more'), chunk(job, 1, 0, 'Fresh'), chunk(job, 1, 1, ' start')]);
    expect((await store.latestAttempt(job)).map((c) => c.content)).toEqual(['Fresh', ' start']);
    await store.insertMany([chunk(job, 1, 0, 'Again'), chunk(job, 1, 1, '!')]);
    expect((await store.latestAttempt(job)).map((c) => c.content)).toEqual(['Again', '!']);
  });

  it("stores an attempt's consecutive chunks as one row and answers them one by one; a redelivery gathered differently adds nothing", async () => {
    const job = randomUUID();
    await store.insertMany([chunk(job, 1, 0, 'a'), chunk(job, 1, 2, 'c'), chunk(job, 1, 1, 'b'), chunk(job, 1, 4, 'e')]);
    const rows = await dataSource.query(`SELECT seq, content, following FROM job_chunks WHERE job_id = $1 ORDER BY seq`, [job]);
    expect(rows).toEqual([
      { seq: 0, content: 'a', following: ['b', 'c'] },
      { seq: 4, content: 'e', following: null },
    ]);
    await store.insertMany([chunk(job, 1, 1, 'b'), chunk(job, 1, 2, 'c'), chunk(job, 1, 3, 'd'), chunk(job, 1, 4, 'e')]);
    expect((await store.latestAttempt(job)).map((c) => [c.seq, c.content])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
      [4, 'e'],
    ]);
  });

  it('a restart replaces runs too, and keeps texts with quotes, commas and non-ASCII intact', async () => {
    const job = randomUUID();
    await store.insertMany([chunk(job, 1, 0, 'old'), chunk(job, 1, 1, ' text')]);
    const texts = ['{"a": "b, c"}', ' \\ "quoted" ', 'naïve 😀', ''];
    await store.insertMany(texts.map((t, seq) => chunk(job, 1, seq, t)));
    expect((await store.latestAttempt(job)).map((c) => c.content)).toEqual(texts);
  });

  it('answers nothing for a job without chunks, and stores nothing for an empty batch', async () => {
    await store.insertMany([]);
    expect(await store.latestAttempt(randomUUID())).toEqual([]);
  });
});
