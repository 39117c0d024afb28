import { auditFigures, auditJobs } from './audit';
import { ChaosCluster } from './chaos-cluster';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger';
import { runLoad } from './load-driver';
import { postgresRestart, proxyOutage } from './outage';
import { readWhile } from './read-probe';
import { probeEveryService, waitUntilReady } from './recovery-probe';

export interface DatabaseOutageOptions extends CommonOptions {
  beforeMs: number;
  outageMs: number;
  afterMs: number;
  concurrency: number;
  /** Stop and start the real PostgreSQL instead of cutting a TCP proxy (full runs only). */
  realRestart?: boolean;
  drainTimeoutMs: number;
}

/**
 * 3. PostgreSQL goes away under load and comes back. Persistence must not ack an event it has not committed
 * (else a job would stay `running` for ever: the audit counts it lost), no result or usage may be written twice,
 * and reads meanwhile answer 503 with Retry-After, not 500. The API-key cache is kept short (1 s) so the outage
 * outlasts it, as a real outage longer than the default 30 s would.
 */
export async function databaseOutageScenario(opts: DatabaseOutageOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start({
    name: `chaos_pg_${opts.runId ?? defaultRunId()}`,
    inference: 2,
    paces: { paced: 'ttft=50,tps=50,tokens=25' },
    databaseProxy: !opts.realRestart,
    env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_CACHE_TTL_MS: '1000', RETRY_DELAY_MS: '1000' },
    inferenceEnv: { WORKER_CONCURRENCY: '32' },
  });
  const outage = opts.realRestart ? postgresRestart() : proxyOutage(chaos.databaseProxy!);
  const ledger = new Ledger('pg');
  const pids = chaos.cluster.services.map((s) => s.child.pid);
  try {
    let stop = false;
    const load = runLoad(ledger, { gatewayUrl: chaos.gatewayUrl, model: 'paced', concurrency: opts.concurrency, stop: () => stop, backoffMs: 50 });
    const phase = async (name: string, ms: number) => {
      progress(`${name}: ${ledger.accepted.length} accepted, ${ledger.refused.length} refused (503), ${ledger.odd.length} other`);
      await new Promise((r) => setTimeout(r, ms));
    };
    await phase('load before the outage', opts.beforeMs);
    const acceptedBefore = ledger.accepted.slice();
    await outage.begin();
    let down = true;
    const reads = readWhile(chaos.gatewayUrl, () => acceptedBefore, () => !down);
    await phase(`database down (${outage.kind})`, opts.outageMs);
    down = false;
    await outage.end();
    const readTally = await reads;
    const readyMs = await waitUntilReady(chaos.gatewayUrl, 60_000);
    await phase(`database back (gateway ready after ${readyMs} ms)`, opts.afterMs);
    stop = true;
    await load;
    const probe = await probeEveryService(chaos.cluster, `${ledger.nextMarker()}-probe`, 60_000);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const running = chaos.cluster.services.filter((s) => s.child.exitCode === null && s.child.signalCode === null).length;
    return resultOf(
      'database-outage',
      `PostgreSQL outage of ${opts.outageMs / 1000} s under load (${outage.kind})`,
      startedAt,
      {
        ...auditFigures(audit),
        responses_202: ledger.accepted.length,
        responses_503_retry_after: ledger.refused.length,
        responses_other: ledger.odd.length,
        reads_during_outage_200: readTally.ok,
        reads_during_outage_503: readTally.unavailable,
        reads_during_outage_other: readTally.other,
        gateway_ready_after_ms: readyMs,
        services_running: running,
        probe_completed: probe.completed,
        probe_streamed: probe.streamed,
        probe_webhook: probe.notified,
      },
      [
        check('0 lost (nothing acked before commit)', audit.lost === 0, audit.lost),
        check('0 duplicated', audit.duplicated === 0, audit.duplicated),
        check('usage recorded for every completed job', audit.usageMissing === 0, `${audit.usageMissing} missing`),
        check('reads during the outage answer 503 + Retry-After, never 500', readTally.other === 0 && readTally.unavailable > 0, `${readTally.unavailable} × 503, ${readTally.other} other`),
        check('submissions answer 202 or 503 + Retry-After', ledger.odd.length === 0, `${ledger.odd.length} other`),
        check('503 left nothing behind', audit.phantoms === 0, audit.phantoms),
        check('no service restarted', running === pids.length, `${running} of ${pids.length}`),
        check('every service works after the outage', probe.completed && probe.streamed && probe.notified, probe.detail),
      ],
      [...audit.details, ...readTally.samples, ...ledger.odd.slice(0, 5).map((o) => `other answer ${o.status}: ${o.detail}`)],
    );
  } finally {
    await chaos.close();
  }
}
