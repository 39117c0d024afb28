import { BatchCollector } from './batch-collector';

describe('BatchCollector', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('releases a batch when it is full, and the next item of the key starts a new one', () => {
    const released: string[][] = [];
    const collector = new BatchCollector<string>((batch) => released.push(batch));
    for (const item of ['a', 'b', 'c']) collector.add('k', { windowMs: 1_000, maxSize: 2 }, item);
    expect(released).toEqual([['a', 'b']]);
    jest.advanceTimersByTime(1_000);
    expect(released).toEqual([['a', 'b'], ['c']]);
  });

  it('releases a batch when its oldest item has waited the window, keys apart', () => {
    const released: string[][] = [];
    const collector = new BatchCollector<string>((batch) => released.push(batch));
    collector.add('alice', { windowMs: 200, maxSize: 6 }, 'a1');
    jest.advanceTimersByTime(150);
    collector.add('alice', { windowMs: 200, maxSize: 6 }, 'a2');
    collector.add('bob', { windowMs: 200, maxSize: 6 }, 'b1');
    jest.advanceTimersByTime(49);
    expect(released).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(released).toEqual([['a1', 'a2']]);
    jest.advanceTimersByTime(150);
    expect(released).toEqual([['a1', 'a2'], ['b1']]);
  });

  it('takes an item out of its open batch, and an emptied batch is never released', () => {
    const released: string[][] = [];
    const collector = new BatchCollector<string>((batch) => released.push(batch));
    collector.add('k', { windowMs: 100, maxSize: 4 }, 'x');
    collector.add('k', { windowMs: 100, maxSize: 4 }, 'y');
    expect(collector.remove('k', 'x')).toBe(true);
    expect(collector.remove('k', 'x')).toBe(false);
    collector.add('j', { windowMs: 100, maxSize: 4 }, 'z');
    expect(collector.remove('j', 'z')).toBe(true);
    jest.advanceTimersByTime(100);
    expect(released).toEqual([['y']]);
  });
});
