import { cappedMaxTokens, effectiveBands } from './band-settings.util';

describe('effectiveBands', () => {
  it("takes seed 002's latency targets and MAX_TOKENS_CAP when nothing is stored", () => {
    expect(effectiveBands({}, 4096)).toEqual({
      high: { tokens: 4096, latency_ms: 500 },
      normal: { tokens: 4096, latency_ms: 2000 },
      low: { tokens: 4096, latency_ms: 5000 },
    });
  });

  it('puts stored fields over the defaults, field by field, and never above MAX_TOKENS_CAP', () => {
    expect(effectiveBands({ high: { tokens: 100 }, low: { latency_ms: 9000, tokens: 99999 } }, 4096)).toEqual({
      high: { tokens: 100, latency_ms: 500 },
      normal: { tokens: 4096, latency_ms: 2000 },
      low: { tokens: 4096, latency_ms: 9000 },
    });
  });

  it('ignores a document it cannot read', () => {
    expect(effectiveBands({ high: { tokens: 'many' } }, 10).high).toEqual({ tokens: 10, latency_ms: 500 });
  });
});

describe('cappedMaxTokens', () => {
  it('clamps what a request asks for to the cap', () => {
    expect(cappedMaxTokens(500, 100, 4096)).toBe(100);
    expect(cappedMaxTokens(50, 100, 4096)).toBe(50);
  });

  it('gives a request that asks nothing the cap only when the tenant lowered it', () => {
    expect(cappedMaxTokens(undefined, 100, 4096)).toBe(100);
    expect(cappedMaxTokens(undefined, 4096, 4096)).toBeUndefined();
  });
});
