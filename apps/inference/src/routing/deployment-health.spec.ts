import { DeploymentHealth } from './deployment-health';

describe('DeploymentHealth (cooldown)', () => {
  let now: number;
  let health: DeploymentHealth;

  beforeEach(() => {
    now = 1_000_000;
    health = new DeploymentHealth({ failures: 3, cooldownMs: 30_000 }, () => now);
  });

  it('cools a deployment down on its third consecutive failure, not before', () => {
    health.recordFailure('a');
    health.recordFailure('a');
    expect(health.isCooling('a')).toBe(false);
    health.recordFailure('a');
    expect(health.isCooling('a')).toBe(true);
  });

  it('lets the deployment back in when the cooldown ends', () => {
    for (let i = 0; i < 3; i += 1) health.recordFailure('a');
    now += 29_999;
    expect(health.isCooling('a')).toBe(true);
    now += 1;
    expect(health.isCooling('a')).toBe(false);
  });

  it('starts counting again after a success', () => {
    health.recordFailure('a');
    health.recordFailure('a');
    health.recordSuccess('a');
    health.recordFailure('a');
    health.recordFailure('a');
    expect(health.isCooling('a')).toBe(false);
  });

  it('keeps each deployment apart', () => {
    for (let i = 0; i < 3; i += 1) health.recordFailure('a');
    expect(health.isCooling('a')).toBe(true);
    expect(health.isCooling('b')).toBe(false);
  });

  it('cools down on demand for a given time, never shortening a longer cooldown', () => {
    health.coolDown('a', 120_000);
    health.coolDown('a', 1_000);
    now += 60_000;
    expect(health.isCooling('a')).toBe(true);
    now += 60_000;
    expect(health.isCooling('a')).toBe(false);
  });

  it('needs a fresh run of failures after a cooldown ends', () => {
    for (let i = 0; i < 3; i += 1) health.recordFailure('a');
    now += 30_000;
    health.recordFailure('a');
    expect(health.isCooling('a')).toBe(false);
  });
});
