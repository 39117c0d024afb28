import { DeltaCoalescer, type CoalescerTimer } from './delta-coalescer';

/** A hand-driven timer: `fire()` runs the pending callback as if its delay had passed. */
class ManualTimer implements CoalescerTimer {
  pending: { callback: () => void; ms: number } | null = null;
  set(callback: () => void, ms: number): unknown {
    this.pending = { callback, ms };
    return this.pending;
  }
  clear(handle: unknown): void {
    if (this.pending === handle) this.pending = null;
  }
  fire(): void {
    const due = this.pending;
    this.pending = null;
    due?.callback();
  }
}

function setUp(maxChars = 10, maxDelayMs = 30) {
  const timer = new ManualTimer();
  const chunks: Array<[string, number]> = [];
  const coalescer = new DeltaCoalescer({ maxDelayMs, maxChars }, (content, seq) => chunks.push([content, seq]), timer);
  return { timer, chunks, coalescer };
}

describe('DeltaCoalescer', () => {
  it('holds deltas until the delay passes, then publishes them as one chunk', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('Hel', 0);
    coalescer.push('lo', 1);
    expect(chunks).toEqual([]);
    expect(timer.pending?.ms).toBe(30);
    timer.fire();
    expect(chunks).toEqual([['Hello', 0]]);
  });

  it('publishes at once when the buffer reaches maxChars, with contiguous seqs', () => {
    const { timer, chunks, coalescer } = setUp(5);
    coalescer.push('abc', 0);
    coalescer.push('defg', 1);
    coalescer.push('h', 2);
    expect(chunks).toEqual([['abcdefg', 0]]);
    timer.fire();
    expect(chunks).toEqual([['abcdefg', 0], ['h', 1]]);
  });

  it('flush() publishes what is buffered and cancels the timer; an empty flush publishes nothing', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('tail', 0);
    coalescer.flush();
    coalescer.flush();
    expect(chunks).toEqual([['tail', 0]]);
    expect(timer.pending).toBeNull();
  });

  it('a provider restart (seq 0) drops the abandoned buffer and starts again at seq 0', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('first', 0);
    timer.fire();
    coalescer.push(' lost', 1);
    coalescer.push('Again', 0);
    coalescer.flush();
    expect(chunks).toEqual([['first', 0], ['Again', 0]]);
  });

  it('publishes every delta by itself when the delay is 0', () => {
    const { timer, chunks, coalescer } = setUp(100, 0);
    coalescer.push('a', 0);
    coalescer.push('b', 1);
    expect(chunks).toEqual([['a', 0], ['b', 1]]);
    expect(timer.pending).toBeNull();
  });
});
