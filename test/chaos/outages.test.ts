import { brokerOutageScenario } from './broker-outage.scenario';
import { databaseOutageScenario } from './database-outage.scenario';
import { expectPassed } from './expect-result.util';

/** Outages through TCP proxies only: the shared RabbitMQ and PostgreSQL are never restarted inside `npm test`. */
describe('chaos: broker and database outages under load (small, TCP proxies)', () => {
  it('RabbitMQ cut for 4 s: only 202s and 503s with Retry-After, every service reconnects, every accepted job completed', async () => {
    const result = await brokerOutageScenario({ beforeMs: 1_500, outageMs: 4_000, afterMs: 2_000, concurrency: 8, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.responses_other).toBe(0);
    expect(result.figures.lost).toBe(0);
    expect(result.figures.completed).toBe(result.figures.accepted);
  });

  it('PostgreSQL cut for 4 s: every accepted job completed, 0 duplicated, reads answer 503 not 500 meanwhile', async () => {
    const result = await databaseOutageScenario({ beforeMs: 1_500, outageMs: 4_000, afterMs: 2_000, concurrency: 8, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.reads_during_outage_other).toBe(0);
    expect(result.figures.lost).toBe(0);
    expect(result.figures.completed).toBe(result.figures.accepted);
    expect(result.figures.duplicated).toBe(0);
  });
});
