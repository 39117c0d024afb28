import { expectPassed } from './expect-result.util';
import { poisonMessagesScenario } from './poison-messages.scenario';

describe('chaos: poison messages (small)', () => {
  it('every poison message is dead-lettered once (or again only where a worker kill explains it), the crash-looper after exactly its delivery limit, while the other jobs complete', async () => {
    const result = await poisonMessagesScenario({ jobs: 40, maxDeliveries: 3, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.poison_not_dead_lettered).toBe(0);
    expect(result.figures.dead_letters_unexplained).toBe(0);
    expect(result.figures.dead_letters).toBe(Number(result.figures.dead_letters_expected) + Number(result.figures.dead_letters_after_worker_kills));
    expect(result.figures.crash_job_deliveries).toBe(3);
    expect(result.figures.crash_job_status).toBe('failed');
    expect(result.figures.completed).toBe(40);
  });
});
