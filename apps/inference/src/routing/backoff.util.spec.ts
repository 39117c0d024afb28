import { backoffDelayMs, retryDelayMs, sleep } from './backoff.util';

const OPTIONS = { baseMs: 100, maxMs: 1_000 };

describe('backoff', () => {
  it.each([
    [0, 50, 100],
    [1, 100, 200],
    [2, 200, 400],
    [3, 400, 800],
    [4, 500, 1_000],
    [10, 500, 1_000],
  ])('keeps retry %i within [%i, %i] ms: half its step to its whole step, capped', (retry, low, high) => {
    expect(backoffDelayMs(retry, OPTIONS, () => 0)).toBe(low);
    expect(backoffDelayMs(retry, OPTIONS, () => 0.999_999)).toBe(high);
    for (let i = 0; i < 50; i += 1) {
      const delay = backoffDelayMs(retry, OPTIONS);
      expect(delay).toBeGreaterThanOrEqual(low);
      expect(delay).toBeLessThanOrEqual(high);
    }
  });

  it('spreads the delays of one step (jitter), rather than repeating one value', () => {
    const delays = new Set(Array.from({ length: 20 }, (_, i) => backoffDelayMs(3, OPTIONS, () => i / 20)));
    expect(delays.size).toBe(20);
  });

  it("honours the upstream's Retry-After as given, even beyond the cap", () => {
    expect(retryDelayMs(0, 2_000, OPTIONS, () => 0.5)).toBe(2_000);
    expect(retryDelayMs(5, 0, OPTIONS, () => 0.5)).toBe(0);
    expect(retryDelayMs(1, 12.3, OPTIONS, () => 0.5)).toBe(13);
  });

  it('falls back to backoff when Retry-After is absent or unusable', () => {
    expect(retryDelayMs(1, undefined, OPTIONS, () => 0)).toBe(100);
    expect(retryDelayMs(1, Number.NaN, OPTIONS, () => 0)).toBe(100);
    expect(retryDelayMs(1, -5, OPTIONS, () => 0)).toBe(100);
  });

  describe('sleep', () => {
    it('resolves after the delay when nothing aborts', async () => {
      await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    });

    it('rejects with the reason when the signal aborts mid-wait, or has already aborted', async () => {
      const controller = new AbortController();
      const reason = new Error('deadline');
      const waiting = sleep(60_000, controller.signal);
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
    });
  });
});
