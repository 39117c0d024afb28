import { expectPassed } from './expect-result.util';
import { workerKillScenario } from './worker-kill.scenario';

describe('chaos: SIGKILL inference workers under load (small)', () => {
  it('100 of 100 jobs end terminal with 0 lost and 0 duplicated while a worker is killed every 2 s', async () => {
    const result = await workerKillScenario({ jobs: 100, replicas: 3, killEveryMs: 2_000, drainTimeoutMs: 90_000 });
    expectPassed(result);
    expect(result.figures.kills).toBeGreaterThan(0);
    expect(result.figures.terminal).toBe(100);
    expect(result.figures.lost).toBe(0);
    expect(result.figures.duplicated).toBe(0);
  });
});
