import { DeploymentRateLimiter, RATE_WINDOW_MS } from './deployment-rate.limiter';

describe('DeploymentRateLimiter', () => {
  let clock = 0;
  const limiter = () => new DeploymentRateLimiter(() => clock);
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('admits anything for a deployment without limits', () => {
    const rates = limiter();
    for (let i = 0; i < 1_000; i += 1) rates.recordRequest('free');
    rates.recordTokens('free', 10_000_000);
    expect(rates.refusal({ id: 'free' }, 50_000)).toBeUndefined();
  });

  it('refuses the call past rpm within the window, and admits again once the oldest call leaves it', () => {
    const rates = limiter();
    const deployment = { id: 'a', rpm: 2 };
    rates.recordRequest('a');
    clock += 30_000;
    expect(rates.refusal(deployment, 0)).toBeUndefined();
    rates.recordRequest('a');
    expect(rates.refusal(deployment, 0)).toBe('rpm limit reached (2 of 2 requests in the last 60 s)');
    clock += RATE_WINDOW_MS - 30_000;
    expect(rates.refusal(deployment, 0)).toBeUndefined();
  });

  it('refuses a prompt that would take the window past tpm, counting finished calls until they age out', () => {
    const rates = limiter();
    const deployment = { id: 'a', tpm: 1_000 };
    rates.recordTokens('a', 700);
    expect(rates.refusal(deployment, 300)).toBeUndefined();
    expect(rates.refusal(deployment, 301)).toBe('tpm limit reached (700 of 1000 tokens used in the last 60 s; the prompt needs about 301)');
    clock += RATE_WINDOW_MS - 1;
    expect(rates.refusal(deployment, 301)).toMatch(/^tpm limit reached/);
    clock += 1;
    expect(rates.refusal(deployment, 1_000)).toBeUndefined();
  });

  it('keeps each deployment to its own counts', () => {
    const rates = limiter();
    rates.recordRequest('a');
    expect(rates.refusal({ id: 'a', rpm: 1 }, 0)).toMatch(/^rpm limit reached/);
    expect(rates.refusal({ id: 'b', rpm: 1 }, 0)).toBeUndefined();
  });
});
