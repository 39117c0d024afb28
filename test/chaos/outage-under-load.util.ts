import { auditJobs, type JobAudit } from './audit.util';
import { ChaosCluster, type ChaosClusterSpec } from './chaos-cluster.util';
import { quiet, type CommonOptions } from './chaos.types';
import { Ledger } from './ledger.util';
import { runLoad } from './load-driver.util';
import type { Outage } from './outage.util';
import { probeEveryService, waitUntilReady, type ProbeResult } from './recovery-probe.util';

export interface OutageUnderLoadOptions extends CommonOptions {
  /** Load before, during and after the outage. */
  beforeMs: number;
  outageMs: number;
  afterMs: number;
  concurrency: number;
  drainTimeoutMs: number;
}

/** What the shared run saw; each scenario judges it with its own checks. */
export interface OutageRun<D> {
  chaos: ChaosCluster;
  outage: Outage;
  ledger: Ledger;
  audit: JobAudit;
  probe: ProbeResult;
  readyMs: number | null;
  /** Processes of the cluster still running, and whether they are the ones started (none was restarted). */
  running: number;
  sameProcesses: boolean;
  /** What `duringOutage` measured while the dependency was down. */
  during: D;
}

/**
 * The shape of the broker and database outage scenarios: a closed-loop submit load, the outage in its middle
 * (a TCP proxy cut, or a real restart), the gateway's readiness after it, one probe job through every service,
 * and the audit. `duringOutage` runs while the dependency is down (its `stopped` says when it came back).
 */
export async function runOutageUnderLoad<D>(
  opts: OutageUnderLoadOptions,
  spec: ChaosClusterSpec,
  what: string,
  outageOf: (chaos: ChaosCluster) => Outage,
  duringOutage: (chaos: ChaosCluster, acceptedBefore: Ledger['accepted'], stopped: () => boolean) => Promise<D>,
  judge: (run: OutageRun<D>) => Promise<unknown> | unknown,
): Promise<void> {
  const progress = opts.progress ?? quiet;
  const chaos = await ChaosCluster.start(spec);
  const outage = outageOf(chaos);
  const ledger = new Ledger(what);
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
    let down = true;
    const during = duringOutage(chaos, ledger.accepted.slice(), () => !down);
    await phase(`${what} down (${outage.kind})`, opts.outageMs);
    down = false;
    await outage.end();
    const measured = await during;
    const readyMs = await waitUntilReady(chaos.gatewayUrl, 60_000);
    await phase(`${what} back (gateway ready after ${readyMs} ms)`, opts.afterMs);
    stop = true;
    await load;
    progress(`load over: ${ledger.accepted.length} accepted, ${ledger.refused.length} refused (503), ${ledger.odd.length} other`);
    const probe = await probeEveryService(chaos.cluster, `${ledger.nextMarker()}-probe`, 60_000);
    const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: opts.drainTimeoutMs, progress });
    const alive = chaos.cluster.services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    const sameProcesses = chaos.cluster.services.length === pids.length && chaos.cluster.services.every((s, i) => s.child.pid === pids[i]);
    await judge({ chaos, outage, ledger, audit, probe, readyMs, running: alive.length, sameProcesses, during: measured });
  } finally {
    await chaos.close();
  }
}
