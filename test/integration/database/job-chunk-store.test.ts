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

  it('answers nothing for a job without chunks, and stores nothing for an empty batch', async () => {
    await store.insertMany([]);
    expect(await store.latestAttempt(randomUUID())).toEqual([]);
  });
});
