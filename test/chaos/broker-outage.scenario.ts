import { auditFigures } from './audit.util';
import { check, defaultRunId, resultOf, type ScenarioResult } from './chaos.types';
import { proxyOutage, rabbitRestart } from './outage.util';
import { runOutageUnderLoad, type OutageUnderLoadOptions } from './outage-under-load.util';

export interface BrokerOutageOptions extends OutageUnderLoadOptions {
  /** Stop and start the real RabbitMQ instead of cutting a TCP proxy (full runs only: other clients see it). */
  realRestart?: boolean;
}

/**
 * 2. RabbitMQ goes away under a steady submit load and comes back. Every submission must answer 202 (a durable
 * job) or 503 with Retry-After (nothing accepted), every service must reconnect by itself (none restarted, and a
 * job after the outage goes through gateway, inference, persistence, streaming and notification), and no 202'd
 * job may be lost.
 */
export async function brokerOutageScenario(opts: BrokerOutageOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  let result!: ScenarioResult;
  await runOutageUnderLoad(
    opts,
    {
      name: `chaos_broker_${opts.runId ?? defaultRunId()}`,
      inference: 2,
      paces: { paced: 'ttft=50,tps=100,tokens=20' },
      brokerProxy: !opts.realRestart,
      // A submit whose confirm the cut lost is accepted in doubt; if its message was lost too, the sweep re-sends it.
      env: {
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        BROKER_RECONNECT_MS: '500',
        BROKER_PUBLISH_TIMEOUT_MS: '3000',
        JOB_ORPHAN_AFTER_MS: '5000',
        JOB_ORPHAN_SWEEP_MS: '1000',
      },
      inferenceEnv: { WORKER_CONCURRENCY: '32' },
    },
    'broker',
    (chaos) => (opts.realRestart ? rabbitRestart() : proxyOutage(chaos.brokerProxy!)),
    async () => undefined,
    ({ outage, ledger, audit, probe, readyMs, running, sameProcesses, chaos }) => {
      const started = chaos.cluster.services.length;
      result = resultOf(
        'broker-outage',
        `RabbitMQ outage of ${opts.outageMs / 1000} s under load (${outage.kind})`,
        startedAt,
        {
          ...auditFigures(audit),
          responses_202: ledger.accepted.length,
          responses_503_retry_after: ledger.refused.length,
          responses_other: ledger.odd.length,
          gateway_ready_after_ms: readyMs,
          services_running: running,
          probe_completed: probe.completed,
          probe_streamed: probe.streamed,
          probe_webhook: probe.notified,
        },
        [
          check('every answer a 202 or a 503 with Retry-After', ledger.odd.length === 0, `${ledger.odd.length} other`),
          check('submissions were refused during the outage', ledger.refused.length > 0, ledger.refused.length),
          check('0 lost', audit.lost === 0, audit.lost),
          check(
            'every accepted job completed (none failed)',
            audit.completed === audit.accepted,
            `${audit.completed} of ${audit.accepted} (${audit.failed} failed, ${audit.cancelled} cancelled)`,
          ),
          check('0 duplicated', audit.duplicated === 0, audit.duplicated),
          check('503 left nothing behind (no job row, no provider call)', audit.phantoms === 0, audit.phantoms),
          check('no service restarted', running === started && sameProcesses, `${running} of ${started} original processes`),
          check('gateway ready again', readyMs !== null, `${readyMs} ms`),
          check('inference + persistence reconnected (probe job completed)', probe.completed, probe.detail),
          check('streaming reconnected (probe stream completed)', probe.streamed, probe.detail),
          check('notification reconnected (probe webhook delivered)', probe.notified, probe.detail),
        ],
        [...audit.details, ...ledger.odd.slice(0, 5).map((o) => `other answer ${o.status}: ${o.detail}`)],
      );
    },
  );
  return result;
}
