import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import type { Scenario, ScenarioResult } from '../support/bench.types';
import { BrokerTap } from '../support/broker-tap.util';
import { HttpClient } from '../support/http-client.util';
import { CpuPhase } from '../support/machine-cpu.util';
import { JobCounter } from '../support/job-count.util';
import { MOCK_KEY_ENV, mockCatalog, mockRequest } from '../support/mock-catalog.util';
import { pgWrites, writesBetween } from '../support/pg-writes.util';
import { round } from '../support/stats.util';

const RATE = 100;
/** The request, the start, the worker's outcome and the terminal event: the messages about a job (`job.*`). */
const MESSAGES_PER_JOB_TARGET = 4;

/**
 * f. What one job costs at a steady, moderate load (100 jobs/s, zero-latency upstream, 32 tokens): CPU-ms per job
 * of each Conveyor service, RabbitMQ and PostgreSQL; peak RSS per service; broker messages per job by type
 * (counted by a tap queue on every exchange); PostgreSQL commits and row writes per job (from its statistics).
 */
export const costScenario: Scenario = {
  id: 'f-cost',
  title: `Cost per job at ${RATE} jobs/s: CPU, memory, broker messages, PostgreSQL writes`,
  async run(ctx): Promise<ScenarioResult> {
    const jobs = RATE * (ctx.quick ? 8 : 20);
    const cluster = await Cluster.start({
      name: `bench_cost_${process.pid}`,
      inference: 1,
      catalog: mockCatalog(ctx.upstreamUrl, 'tokens=32'),
      env: { LOG_LEVEL: 'warn', DEFAULT_MODEL: 'mock', ...MOCK_KEY_ENV },
      inferenceEnv: { WORKER_CONCURRENCY: '32' },
    });
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const db = await JobCounter.open(cluster.directDatabaseUrl);
    const tap = await BrokerTap.open(cluster.vhostBrokerUrl);
    try {
      await sleep(1_500); // let start-up's statistics settle before the first reading
      const [phase, writes0] = [await CpuPhase.start(() => cluster.stats()), await pgWrites(db)];
      const t0 = performance.now();
      const inFlight: Array<Promise<unknown>> = [];
      for (let i = 0; i < jobs; i++) {
        const due = t0 + (i * 1000) / RATE - performance.now();
        if (due > 0) await sleep(due);
        inFlight.push(client.postJson('/v1/chat/completions', mockRequest(`cost-${i}`)));
        if (i % RATE === 0) ctx.progress.line(`${i} of ${jobs} submitted`);
      }
      await Promise.all(inFlight);
      await db.waitForTerminal(jobs, 60_000, () => undefined, 100);
      const split = await phase.end(() => cluster.stats());
      const procs1 = await cluster.stats();
      const messages = await tap.count();
      await cluster.stop(); // backends report their last statistics as they exit
      await sleep(1_500);
      const writes = writesBetween(writes0, await pgWrites(db));
      const metrics: Record<string, number> = { jobs };
      for (const name of [...Object.keys(procs1), 'rabbitmq', 'postgresql']) metrics[`cpu_ms_per_job_${name}`] = round((split.ms[name] ?? 0) / jobs);
      for (const [name, s] of Object.entries(procs1)) metrics[`peak_rss_mb_${name}`] = round(s.peakRssBytes / 2 ** 20);
      metrics.broker_messages_per_job = round(messages.total / jobs);
      const jobMessages = Object.entries(messages.byType).reduce((sum, [type, n]) => sum + (type.startsWith('job.') ? n : 0), 0);
      metrics.broker_job_messages_per_job = round(jobMessages / jobs);
      for (const [type, n] of Object.entries(messages.byType)) metrics[`broker_messages_per_job_${type}`] = round(n / jobs);
      metrics.pg_commits_per_job = round(writes.commits / jobs);
      metrics.pg_rows_written_per_job = round((writes.inserted + writes.updated + writes.deleted) / jobs);
      for (const [table, n] of Object.entries(writes.byTable)) metrics[`pg_rows_written_per_job_${table}`] = round(n / jobs);
      const conveyorCpu = Object.keys(procs1).reduce((sum, name) => sum + metrics[`cpu_ms_per_job_${name}`]!, 0);
      metrics.cpu_ms_per_job_all_conveyor = round(conveyorCpu);
      ctx.progress.line(
        `${round(conveyorCpu)} CPU-ms per job in Conveyor, ${metrics.broker_messages_per_job} broker messages, ${metrics.pg_commits_per_job} commits`,
      );
      return {
        id: this.id,
        title: this.title,
        metrics,
        targets: [
          {
            name: 'broker messages per job (non-streaming)',
            target: `≤ ${MESSAGES_PER_JOB_TARGET}`,
            measured: `${round(jobMessages / jobs)} job messages (${metrics.broker_messages_per_job} with broadcasts such as heartbeats, which go by time, not by job)`,
            met: jobMessages / jobs <= MESSAGES_PER_JOB_TARGET,
            why: `by type: ${Object.entries(messages.byType)
              .map(([type, n]) => `${type} ${round(n / jobs)}`)
              .join(', ')}`,
          },
        ],
        notes: [
          'RabbitMQ and PostgreSQL CPU are whole-server readings (anyone else using them in the same seconds is included).',
          'Broker messages exclude retry-tier publishes (none in a healthy run); a message routed to several queues counts once.',
        ],
      };
    } finally {
      client.close();
      await tap.close().catch(() => undefined);
      await db.close();
      await cluster.destroy();
    }
  },
};
