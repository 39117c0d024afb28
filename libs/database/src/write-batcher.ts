/**
 * Group commit for independent writes: callers `write` one item each and get their own promise; items that
 * arrive while earlier batches are in flight are written together by the next batch (one statement, one
 * commit, one fsync), at most `maxInFlight` batches at a time. At low load each item is written at once,
 * alone, so batching adds no wait; under load the batches grow by themselves.
 *
 * If a batch fails, its items are tried one by one, so one bad item fails alone and a transient error fails
 * each caller with its own error (the callers' writes must be safe to repeat after an unknown outcome).
 */
export class WriteBatcher<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly writeMany: (items: readonly T[]) => Promise<void>,
    private readonly options: { maxBatch: number; maxInFlight: number },
  ) {}

  write(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    // Once per turn of the event loop: everything submitted in this turn joins the batch.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    try {
      await this.writeMany(batch.map((b) => b.item));
      for (const b of batch) b.resolve();
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else
        await Promise.all(
          batch.map((b) =>
            this.writeMany([b.item]).then(
              () => b.resolve(),
              (e: unknown) => b.reject(e),
            ),
          ),
        );
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
