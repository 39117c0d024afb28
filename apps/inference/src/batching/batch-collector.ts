/** Where a batch is gathered, and when it leaves. */
export interface BatchWindow {
  windowMs: number;
  maxSize: number;
}

interface Gathering<T> {
  members: T[];
  timer: NodeJS.Timeout;
}

/**
 * Gathers items into batches by key (seed 002's windows): a batch leaves when it holds `maxSize` items or its
 * oldest item has waited `windowMs`, whichever comes first. A key's next item after that starts a new batch.
 */
export class BatchCollector<T> {
  private readonly open = new Map<string, Gathering<T>>();

  constructor(private readonly release: (members: T[]) => void) {}

  add(key: string, window: BatchWindow, item: T): void {
    let gathering = this.open.get(key);
    if (!gathering) {
      const timer = setTimeout(() => this.flush(key), window.windowMs);
      timer.unref();
      gathering = { members: [], timer };
      this.open.set(key, gathering);
    }
    gathering.members.push(item);
    if (gathering.members.length >= window.maxSize) this.flush(key);
  }

  /** Takes an item out of its open batch (a cancel while it waits); answers whether it was there. */
  remove(key: string, item: T): boolean {
    const gathering = this.open.get(key);
    const at = gathering?.members.indexOf(item) ?? -1;
    if (!gathering || at < 0) return false;
    gathering.members.splice(at, 1);
    if (gathering.members.length === 0) {
      clearTimeout(gathering.timer);
      this.open.delete(key);
    }
    return true;
  }

  /** Releases every open batch now (a worker stopping). */
  flushAll(): void {
    for (const key of [...this.open.keys()]) this.flush(key);
  }

  private flush(key: string): void {
    const gathering = this.open.get(key);
    if (!gathering) return;
    clearTimeout(gathering.timer);
    this.open.delete(key);
    this.release(gathering.members);
  }
}
