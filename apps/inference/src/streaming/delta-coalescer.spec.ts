import { DeltaCoalescer } from './delta-coalescer';
import { ManualTimer } from './manual.timer';

function setUp(maxChars = 10, maxDelayMs = 30, live = true) {
  const timer = new ManualTimer();
  const chunks: Array<[string, number]> = [];
  const coalescer = new DeltaCoalescer({ maxDelayMs, maxChars, live }, (content, seq) => chunks.push([content, seq]), timer);
  return { timer, chunks, coalescer };
}

describe('DeltaCoalescer', () => {
  it('publishes the first delta at once, then holds what follows until the window since that publish ends', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('Hel', 0);
    expect(chunks).toEqual([['Hel', 0]]);
    timer.advance(5);
    coalescer.push('lo', 1);
    coalescer.push(' w', 2);
    expect(chunks).toEqual([['Hel', 0]]);
    expect(timer.pending?.due).toBe(1_030);
    timer.advance(24);
    expect(chunks).toEqual([['Hel', 0]]);
    timer.advance(1);
    expect(chunks).toEqual([
      ['Hel', 0],
      ['lo w', 1],
    ]);
  });

  it('adds no delay to a slow stream: a delta after a quiet window goes out at once', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('a', 0);
    timer.advance(50);
    coalescer.push('b', 1);
    timer.advance(30);
    coalescer.push('c', 2);
    expect(chunks).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(timer.pending).toBeNull();
  });

  it('publishes at once when the buffer reaches maxChars, with contiguous seqs', () => {
    const { timer, chunks, coalescer } = setUp(5);
    coalescer.push('ab', 0);
    coalescer.push('cde', 1);
    coalescer.push('fghij', 2);
    coalescer.push('k', 3);
    expect(chunks).toEqual([
      ['ab', 0],
      ['cdefghij', 1],
    ]);
    timer.advance(30);
    expect(chunks).toEqual([
      ['ab', 0],
      ['cdefghij', 1],
      ['k', 2],
    ]);
  });

  it('flush() publishes what is buffered and cancels the timer; an empty flush publishes nothing', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('head', 0);
    coalescer.push('tail', 1);
    coalescer.flush();
    coalescer.flush();
    expect(chunks).toEqual([
      ['head', 0],
      ['tail', 1],
    ]);
    expect(timer.pending).toBeNull();
  });

  it('a provider restart (seq 0) drops the abandoned buffer and starts again at seq 0', () => {
    const { timer, chunks, coalescer } = setUp();
    coalescer.push('first', 0);
    coalescer.push(' lost', 1);
    coalescer.push('Again', 0);
    expect(timer.pending).not.toBeNull();
    coalescer.flush();
    expect(chunks).toEqual([
      ['first', 0],
      ['Again', 0],
    ]);
  });

  it('publishes every delta by itself when the delay is 0', () => {
    const { timer, chunks, coalescer } = setUp(100, 0);
    coalescer.push('a', 0);
    coalescer.push('b', 1);
    expect(chunks).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(timer.pending).toBeNull();
  });

  describe('while nobody watches', () => {
    it('publishes nothing, sets no timer, and drops the text on flush', () => {
      const { timer, chunks, coalescer } = setUp(4, 30, false);
      coalescer.push('Hello, ', 0);
      coalescer.push('world', 1);
      expect(timer.pending).toBeNull();
      coalescer.flush();
      coalescer.goLive();
      expect(chunks).toEqual([]);
    });

    it('goLive publishes all the text so far as chunk 0, then throttles as usual', () => {
      const { timer, chunks, coalescer } = setUp(100, 30, false);
      coalescer.push('Hel', 0);
      coalescer.push('lo', 1);
      coalescer.goLive();
      expect(chunks).toEqual([['Hello', 0]]);
      coalescer.push(' there', 2);
      expect(chunks).toHaveLength(1);
      timer.advance(30);
      expect(chunks).toEqual([
        ['Hello', 0],
        [' there', 1],
      ]);
    });

    it('keeps only the current generation after a provider restart', () => {
      const { chunks, coalescer } = setUp(100, 30, false);
      coalescer.push('abandoned', 0);
      coalescer.push('fresh', 0);
      coalescer.push(' text', 1);
      coalescer.goLive();
      expect(chunks).toEqual([['fresh text', 0]]);
    });
  });
});
