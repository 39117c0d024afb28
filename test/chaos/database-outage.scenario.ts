import { auditFigures } from './audit.util';
import { check, defaultRunId, resultOf, type ScenarioResult } from './chaos.types';
import { postgresRestart, proxyOutage } from './outage.util';
import { runOutageUnderLoad, type OutageUnderLoadOptions } from './outage-under-load.util';
import { readWhile } from './read-probe.util';

export interface DatabaseOutageOptions extends OutageUnderLoadOptions {
  /** Stop and start the real PostgreSQL instead of cutting a TCP proxy (full runs only). */
  realRestart?: boolean;
}

/**
 * 3. PostgreSQL goes away under load and comes back. Persistence must not ack an event it has not committed
 * (else a job would stay `running` for ever: the audit counts it lost), no result or usage may be written twice,
 * and reads meanwhile answer 503 with Retry-After, not 500. The API-key cache is kept short (1 s) so the outage
 * outlasts it, as a real outage longer than the default 30 s would.
 */
export async function databaseOutageScenario(opts: DatabaseOutageOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  let result!: ScenarioResult;
  await runOutageUnderLoad(
    opts,
    {
      name: `chaos_pg_${opts.runId ?? defaultRunId()}`,
      inference: 2,
      paces: { paced: 'ttft=50,tps=50,tokens=25' },
      databaseProxy: !opts.realRestart,
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_CACHE_TTL_MS: '1000', RETRY_DELAY_MS: '1000' },
      inferenceEnv: { WORKER_CONCURRENCY: '32' },
    },
    'database',
    (chaos) => (opts.realRestart ? postgresRestart() : proxyOutage(chaos.databaseProxy!)),
    (chaos, acceptedBefore, stopped) => readWhile(chaos.gatewayUrl, () => acceptedBefore, stopped),
    ({ outage, ledger, audit, probe, running, chaos, during: reads }) => {
      const started = chaos.cluster.services.length;
      result = resultOf(
        'database-outage',
        `PostgreSQL outage of ${opts.outageMs / 1000} s under load (${outage.kind})`,
        startedAt,
        {
          ...auditFigures(audit),
          responses_202: ledger.accepted.length,
          responses_503_retry_after: ledger.refused.length,
          responses_other: ledger.odd.length,
          reads_during_outage_200: reads.ok,
          reads_during_outage_503: reads.unavailable,
          reads_during_outage_other: reads.other,
          services_running: running,
        },
        [
          check('0 lost (nothing acked before commit)', audit.lost === 0, audit.lost),
          check(
            'every accepted job completed (none failed)',
            audit.completed === audit.accepted,
            `${audit.completed} of ${audit.accepted} (${audit.failed} failed, ${audit.cancelled} cancelled)`,
          ),
          check('0 duplicated', audit.duplicated === 0, audit.duplicated),
          check('usage recorded for every completed job', audit.usageMissing === 0, `${audit.usageMissing} missing`),
          check(
            'reads during the outage answer 503 + Retry-After, never 500',
            reads.other === 0 && reads.unavailable > 0,
            `${reads.unavailable} × 503, ${reads.other} other`,
          ),
          check('submissions answer 202 or 503 + Retry-After', ledger.odd.length === 0, `${ledger.odd.length} other`),
          check('503 left nothing behind', audit.phantoms === 0, audit.phantoms),
          check('no service restarted', running === started, `${running} of ${started}`),
          check('every service works after the outage', probe.completed && probe.streamed && probe.notified, probe.detail),
        ],
        [...audit.details, ...reads.samples, ...ledger.odd.slice(0, 5).map((o) => `other answer ${o.status}: ${o.detail}`)],
      );
    },
  );
  return result;
}
