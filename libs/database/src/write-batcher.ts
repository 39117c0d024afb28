/**
 * Group commit for independent writes: callers `write` one item each and get their own promise; items that
 * arrive while earlier batches are in flight are written together by the next batch (one statement, one
 * commit, one fsync), at most `maxInFlight` batches at a time. At low load each item is written at once,
 * alone, so batching adds no wait; under load the batches grow by themselves.
 *
 * If a batch fails, its items are tried one by one, so one bad item fails alone and a transient error fails
 * each caller with its own error (the callers' writes must be safe to repeat after an unknown outcome).
 * `writeMany` may answer one result per item, in order, which each caller then receives.
 */
export class WriteBatcher<T, R = void> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (err: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly writeMany: (items: readonly T[]) => Promise<readonly R[] | void>,
    private readonly options: {
      maxBatch: number;
      maxInFlight: number;
      /**
       * Waits this long before a batch starts, so writes nobody awaits (a mark for a sweeper's benefit) gather into
       * one statement even at low load. 0 (the default): a batch starts at the end of the turn, adding no wait.
       */
      lingerMs?: number;
    },
  ) {}

  write(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    // Once per turn of the event loop (or per linger): everything submitted meanwhile joins the batch.
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      void this.flush();
    };
    if (this.options.lingerMs) setTimeout(start, this.options.lingerMs);
    else setImmediate(start);
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    try {
      const results = await this.writeMany(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results?.[i] as R));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else
        await Promise.all(
          batch.map((b) =>
            this.writeMany([b.item]).then(
              (results) => b.resolve(results?.[0] as R),
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
