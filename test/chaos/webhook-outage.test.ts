import { expectPassed } from './expect-result.util';
import { webhookOutageScenario } from './webhook-outage.scenario';

describe('chaos: webhook receiver outage (small)', () => {
  it('every delivery arrives after the receiver returns, signed, exactly once per (job, event), and every job completes', async () => {
    const result = await webhookOutageScenario({ jobs: 30, downMs: 4_000, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.deliveries_duplicated).toBe(0);
    expect(result.figures.deliveries_missing).toBe(0);
    expect(result.figures.deliveries_signature_unverified).toBe(0);
    expect(result.figures.completed).toBe(30);
  });
});
