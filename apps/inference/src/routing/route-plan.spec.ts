import type { ModelCatalog } from '@conveyor/config';
import { orderDeployments, planRoute } from './route-plan';

const dep = (id: string, weight?: number) => ({ id, provider: 'simulated' as const, upstream_model: id, ...(weight !== undefined && { weight }) });

const CATALOG: ModelCatalog = {
  models: [
    { name: 'gpt-4o', deployments: [dep('openai-a'), dep('azure-b')] },
    { name: 'claude', deployments: [dep('anthropic')] },
    { name: 'llama', deployments: [dep('ollama')] },
    { name: 'gemini', deployments: [dep('gemini')] },
  ],
  groups: [
    { name: 'quality', models: ['gpt-4o', 'claude'], fallback_groups: ['fast'] },
    { name: 'fast', models: ['llama', 'claude'], fallback_groups: ['cheap', 'quality'] },
    { name: 'cheap', models: ['gemini'] },
  ],
};
const ids = (plan: ReturnType<typeof planRoute>) => plan?.map((d) => d.id);

describe('planRoute', () => {
  it("gives a model's own deployments, in catalogue order", () => {
    expect(ids(planRoute(CATALOG, 'gpt-4o'))).toEqual(['openai-a', 'azure-b']);
  });

  it("gives a group's models in order, then its fallback groups depth first, each deployment once", () => {
    expect(ids(planRoute(CATALOG, 'quality'))).toEqual(['openai-a', 'azure-b', 'anthropic', 'ollama', 'gemini']);
  });

  it('ends a cycle of fallback groups instead of looping', () => {
    expect(ids(planRoute(CATALOG, 'fast'))).toEqual(['ollama', 'anthropic', 'gemini', 'openai-a', 'azure-b']);
  });

  it('answers null for a name that is neither a model nor a group', () => {
    expect(planRoute(CATALOG, 'gpt-5')).toBeNull();
  });
});

describe('orderDeployments', () => {
  const weighted = { name: 'w', deployments: [dep('light', 1), dep('heavy', 9)] };

  it('keeps catalogue order when no deployment has a weight', () => {
    expect(orderDeployments(CATALOG.models[0]!).map((d) => d.id)).toEqual(['openai-a', 'azure-b']);
  });

  it('puts the heavier deployment first about as often as its share of the weight, and always lists both', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let heavyFirst = 0;
    for (let i = 0; i < 2_000; i += 1) {
      const order = orderDeployments(weighted, random).map((d) => d.id);
      expect([...order].sort()).toEqual(['heavy', 'light']);
      if (order[0] === 'heavy') heavyFirst += 1;
    }
    expect(heavyFirst / 2_000).toBeGreaterThan(0.85);
    expect(heavyFirst / 2_000).toBeLessThan(0.95);
  });
});
