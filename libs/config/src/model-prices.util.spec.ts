import { ModelPrices } from './model-prices.util';
import type { ModelCatalog } from './model-catalog.schema';

const deployment = (id: string) => [{ id, provider: 'simulated' as const, upstream_model: id }];

const catalog: ModelCatalog = {
  models: [
    { name: 'cheap', deployments: deployment('c'), input_price_per_mtok: 0.15, output_price_per_mtok: 0.6 },
    { name: 'dear', deployments: deployment('d'), input_price_per_mtok: 3, output_price_per_mtok: 15 },
    { name: 'input-only', deployments: deployment('i'), input_price_per_mtok: 1 },
    { name: 'free', deployments: deployment('f') },
  ],
  groups: [
    { name: 'fast', models: ['cheap', 'free'] },
    { name: 'quality', models: ['dear'], fallback_groups: ['fast'] },
    { name: 'flat', models: ['dear'], input_price_per_mtok: 2, output_price_per_mtok: 2 },
    { name: 'unpriced', models: ['free'] },
    { name: 'loop-a', models: ['free'], fallback_groups: ['loop-b'] },
    { name: 'loop-b', models: ['input-only'], fallback_groups: ['loop-a'] },
  ],
};

describe('ModelPrices', () => {
  const prices = new ModelPrices(catalog);

  it('prices a model by its own fields, a missing one as 0, and one with neither as unpriced', () => {
    expect(prices.priceOf('cheap')).toEqual({ input: 0.15, output: 0.6 });
    expect(prices.priceOf('input-only')).toEqual({ input: 1, output: 0 });
    expect(prices.priceOf('free')).toBeNull();
    expect(prices.priceOf('unknown')).toBeNull();
  });

  it('prices a group at its own price, else at the dearest of its models and fallback groups', () => {
    expect(prices.priceOf('flat')).toEqual({ input: 2, output: 2 });
    expect(prices.priceOf('fast')).toEqual({ input: 0.15, output: 0.6 });
    expect(prices.priceOf('quality')).toEqual({ input: 3, output: 15 });
    expect(prices.priceOf('unpriced')).toBeNull();
    expect(prices.priceOf('loop-a')).toEqual({ input: 1, output: 0 });
  });

  it('costs tokens in USD per million', () => {
    expect(prices.costOf('dear', 1_000_000, 2_000_000)).toBeCloseTo(33);
    expect(prices.costOf('cheap', 1_000, 1_000)).toBeCloseTo(0.00075);
    expect(prices.costOf('free', 1_000, 1_000)).toBeNull();
  });
});
