import { expectPassed } from './expect-result.util';
import { poisonMessagesScenario } from './poison-messages.scenario';

describe('chaos: poison messages (small)', () => {
  it('every poison message is dead-lettered, the crash-looper after its delivery limit, while the other jobs complete', async () => {
    const result = await poisonMessagesScenario({ jobs: 40, maxDeliveries: 3, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.poison_not_dead_lettered).toBe(0);
    expect(result.figures.crash_job_status).toBe('failed');
    expect(result.figures.completed).toBe(40);
  });
});
