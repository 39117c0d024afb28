import { auditFigures, auditJobs } from './audit';
import { ChaosCluster } from './chaos-cluster';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger';
import { runLoad } from './load-driver';
import { proxyOutage, rabbitRestart } from './outage';
import { probeEveryService, waitUntilReady } from './recovery-probe';

export interface BrokerOutageOptions extends CommonOptions {
  /** Load before, during and after the outage. */
  beforeMs: number;
  outageMs: number;
  afterMs: number;
  concurrency: number;
  /** Stop and start the real RabbitMQ instead of cutting a TCP proxy (full runs only: other clients see it). */
  realRestart?: boolean;
  drainTimeoutMs: number;
}

/**
 * 2. RabbitMQ goes away under a steady submit load and comes back. Every submission must answer 202 (a durable
 * job) or 503 with Retry-After (nothing accepted), every service must reconnect by itself (none restarted, and a
 * job after the outage goes through gateway, inference, persistence, streaming and notification), and no 202'd
 * job may be lost.
 */
export async function brokerOutageScenario(opts: BrokerOutageOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_broker_${opts.runId ?? defaultRunId()}`,
    inference: 2,
    paces: { paced: 'ttft=50,tps=100,tokens=20' },
    brokerProxy: !opts.realRestart,
    env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', BROKER_RECONNECT_MS: '500', BROKER_PUBLISH_TIMEOUT_MS: '3000' },
    inferenceEnv: { WORKER_CONCURRENCY: '32' },
  });
  const outage = opts.realRestart ? rabbitRestart() : proxyOutage(chaos.brokerProxy!);
  const ledger = new Ledger('broker');
  const pids = chaos.cluster.services.map((s) => s.child.pid);
  try {
    let stop = false;
    const load = runLoad(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced', concurrency: opts.concurrency, stop: () => stop, backoffMs: 50 });
    const phase = async (name: string, ms: number) => {
      progress(`${name}: ${ledger.accepted.length} accepted, ${ledger.refused.length} refused (503), ${ledger.odd.length} other`);
      await new Promise((r) => setTimeout(r, ms));
    };
    await phase('load before the outage', opts.beforeMs);
    await outage.begin();
    await phase(`broker down (${outage.kind})`, opts.outageMs);
    await outage.end();
    const readyMs = await waitUntilReady(chaos.gatewayUrl, 60_000);
    await phase(`broker back (gateway ready after ${readyMs} ms)`, opts.afterMs);
    stop = true;
    await load;
    progress(`load over: ${ledger.accepted.length} accepted, ${ledger.refused.length} refused (503), ${ledger.odd.length} other`);
    const probe = await probeEveryService(chaos.cluster, `${ledger.nextMarker()}-probe`, 60_000);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const survivors = chaos.cluster.running('gateway').length + chaos.cluster.running('persistence').length + chaos.cluster.running('notification').length + chaos.cluster.running('streaming').length + chaos.cluster.running('inference').length;
    const samePids = chaos.cluster.services.every((s, i) => s.child.pid === pids[i]) && chaos.cluster.services.length === pids.length;
    return resultOf(
      'broker-outage',
      `RabbitMQ outage of ${opts.outageMs / 1000} s under load (${outage.kind})`,
      startedAt,
      {
        ...auditFigures(audit),
        responses_202: ledger.accepted.length,
        responses_503_retry_after: ledger.refused.length,
        responses_other: ledger.odd.length,
        gateway_ready_after_ms: readyMs,
        services_running: survivors,
        probe_completed: probe.completed,
        probe_streamed: probe.streamed,
        probe_webhook: probe.notified,
      },
      [
        check('every answer a 202 or a 503 with Retry-After', ledger.odd.length === 0, `${ledger.odd.length} other`),
        check('submissions were refused during the outage', ledger.refused.length > 0, ledger.refused.length),
        check('0 lost', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
        check('503 left nothing behind (no job row, no provider call)', audit.phantoms === 0, audit.phantoms),
        check('no service restarted', survivors === pids.length && samePids, `${survivors} of ${pids.length} original processes`),
        check('gateway ready again', readyMs !== null, `${readyMs} ms`),
        check('inference + persistence reconnected (probe job completed)', probe.completed, probe.detail),
        check('streaming reconnected (probe stream completed)', probe.streamed, probe.detail),
        check('notification reconnected (probe webhook delivered)', probe.notified, probe.detail),
      ],
      [...audit.details, ...ledger.odd.slice(0, 5).map((o) => `other answer ${o.status}: ${o.detail}`)],
    );
  } finally {
    await chaos.close();
  }
}
