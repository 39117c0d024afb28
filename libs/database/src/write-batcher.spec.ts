import { WriteBatcher } from './write-batcher';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store whose writes complete when the test says so, recording each batch. */
function heldStore(fail: (items: readonly number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const writeMany = (items: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push([...items]);
      pending.push(() => (fail(items) ? reject(new Error(`bad batch ${items.join(',')}`)) : resolve()));
    });
  /** Completes the writes in flight and lets the batcher start what follows (its next batch is one turn away). */
  const complete = async () => {
    while (pending.length) pending.shift()!();
    for (let i = 0; i < 3; i++) await tick();
  };
  return { batches, writeMany, complete };
}

describe('WriteBatcher', () => {
  it('writes a lone item at once, by itself', async () => {
    const store = heldStore();
    const batcher = new WriteBatcher(store.writeMany, { maxBatch: 100, maxInFlight: 1 });
    const done = batcher.write(1);
    await tick();
    expect(store.batches).toEqual([[1]]);
    await store.complete();
    await expect(done).resolves.toBeUndefined();
  });

  it('with a linger, gathers what arrives within it into one batch, even with nothing in flight', async () => {
    const store = heldStore();
    const batcher = new WriteBatcher(store.writeMany, { maxBatch: 100, maxInFlight: 2, lingerMs: 100 });
    const all = [batcher.write(1)];
    await tick();
    all.push(batcher.write(2));
    await tick();
    expect(store.batches).toEqual([]); // still lingering
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(store.batches).toEqual([[1, 2]]);
    await store.complete();
    await expect(Promise.all(all)).resolves.toHaveLength(2);
  });

  it('groups what arrives while a batch is in flight into the next one, up to maxBatch', async () => {
    const store = heldStore();
    const batcher = new WriteBatcher(store.writeMany, { maxBatch: 3, maxInFlight: 1 });
    const all = [batcher.write(1)];
    await tick();
    all.push(batcher.write(2), batcher.write(3), batcher.write(4), batcher.write(5));
    await tick();
    expect(store.batches).toEqual([[1]]); // one batch in flight at a time
    await store.complete();
    expect(store.batches).toEqual([[1], [2, 3, 4]]);
    await store.complete();
    await store.complete();
    expect(store.batches).toEqual([[1], [2, 3, 4], [5]]);
    await expect(Promise.all(all)).resolves.toHaveLength(5);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const store = heldStore((items) => items.includes(3));
    const batcher = new WriteBatcher(store.writeMany, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.write(1);
    await tick();
    const rest = [2, 3, 4].map((n) =>
      batcher.write(n).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    await store.complete(); // [1] succeeds; [2,3,4] is written next
    await store.complete(); // [2,3,4] fails: retried as [2], [3], [4]
    await store.complete();
    await expect(first).resolves.toBeUndefined();
    expect(await Promise.all(rest)).toEqual(['ok', 'bad batch 3', 'ok']);
    expect(store.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });
});
