import { SerialInterval } from './serial-interval';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SerialInterval', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('runs one task at a time: a run that overruns delays the next, and stop waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const finishers: Array<() => void> = [];
    const loop = new SerialInterval(
      () =>
        new Promise<void>((resolve) => {
          runs++;
          most = Math.max(most, ++active);
          finishers.push(() => (active--, resolve()));
        }),
      () => undefined,
    );
    loop.start(100);
    jest.advanceTimersByTime(350); // three ticks while the first run is still going
    await tick();
    expect(runs).toBe(1);
    finishers.shift()!();
    await tick();
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    while (finishers.length > 0) {
      finishers.shift()!();
      await tick();
    }
    await stopping;
    expect(most).toBe(1);
  });

  it('reports a failed run and goes on with the next', async () => {
    const errors: string[] = [];
    let runs = 0;
    const loop = new SerialInterval(
      async () => {
        if (++runs === 1) throw new Error('database down');
      },
      (err) => errors.push(err.message),
    );
    loop.start(100);
    jest.advanceTimersByTime(100);
    await tick();
    jest.advanceTimersByTime(100);
    await tick();
    await loop.stop();
    expect(errors).toEqual(['database down']);
    expect(runs).toBe(2);
  });
});
