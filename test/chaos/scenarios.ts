import { brokerFailoverScenario } from './broker-failover.scenario';
import { brokerOutageScenario } from './broker-outage.scenario';
import type { ProgressFn, ScenarioResult } from './chaos.types';
import { databaseOutageScenario } from './database-outage.scenario';
import { poisonMessagesScenario } from './poison-messages.scenario';
import { slowReadersScenario } from './slow-readers.scenario';
import { streamResumeScenario } from './stream-resume.scenario';
import { webhookOutageScenario } from './webhook-outage.scenario';
import { workerKillScenario } from './worker-kill.scenario';

export interface RunSettings {
  runId: string;
  progress: ProgressFn;
  /** Restart the real RabbitMQ / PostgreSQL instead of cutting TCP proxies. */
  realRestarts: boolean;
}

export interface ScenarioEntry {
  id: string;
  /** The full-size run of `npm run chaos`. */
  full(settings: RunSettings): Promise<ScenarioResult>;
}

/** Every fault scenario at full size, in run order; `npm run chaos -- <id> …` selects some. */
export const SCENARIOS: ScenarioEntry[] = [
  { id: 'worker-kill', full: (s) => workerKillScenario({ ...s, jobs: 1_000, replicas: 3, killEveryMs: 2_000, drainTimeoutMs: 300_000 }) },
  {
    id: 'broker-outage',
    full: (s) =>
      brokerOutageScenario({ ...s, realRestart: s.realRestarts, beforeMs: 5_000, outageMs: 15_000, afterMs: 10_000, concurrency: 16, drainTimeoutMs: 300_000 }),
  },
  {
    id: 'database-outage',
    full: (s) =>
      databaseOutageScenario({
        ...s,
        realRestart: s.realRestarts,
        beforeMs: 5_000,
        outageMs: 15_000,
        afterMs: 10_000,
        concurrency: 16,
        drainTimeoutMs: 300_000,
      }),
  },
  { id: 'poison-messages', full: (s) => poisonMessagesScenario({ ...s, jobs: 500, maxDeliveries: 5, drainTimeoutMs: 180_000 }) },
  {
    id: 'stream-resume',
    full: (s) => streamResumeScenario({ ...s, streams: 100, tokens: 60, cutFraction: 0.5, maxCuts: 4, streamingReplicas: 2, drainTimeoutMs: 120_000 }),
  },
  {
    id: 'slow-readers',
    full: (s) => slowReadersScenario({ ...s, slowReaders: 40, fastReaders: 20, bigTokens: 400_000, clientBufferBytes: 262_144, drainTimeoutMs: 180_000 }),
  },
  { id: 'webhook-outage', full: (s) => webhookOutageScenario({ ...s, jobs: 300, downMs: 20_000, drainTimeoutMs: 180_000 }) },
  { id: 'broker-failover', full: (s) => brokerFailoverScenario({ ...s, rate: 20, beforeMs: 15_000, afterMs: 30_000, drainTimeoutMs: 300_000 }) },
];
