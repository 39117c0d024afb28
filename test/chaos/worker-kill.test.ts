import { expectPassed } from './expect-result.util';
import { workerKillScenario } from './worker-kill.scenario';

describe('chaos: SIGKILL inference workers under load (small)', () => {
  it('100 of 100 jobs complete with 0 lost and 0 duplicated while a worker is killed every 2 s, and the jobs of killed workers are redelivered', async () => {
    const result = await workerKillScenario({ jobs: 100, replicas: 3, killEveryMs: 2_000, drainTimeoutMs: 90_000 });
    expectPassed(result);
    expect(result.figures.kills).toBeGreaterThan(0);
    expect(result.figures.kills_of_busy_workers).toBeGreaterThan(0);
    expect(result.figures.jobs_started_again).toBeGreaterThan(0);
    expect(result.figures.completed).toBe(100);
    expect(result.figures.lost).toBe(0);
    expect(result.figures.duplicated).toBe(0);
  });
});
