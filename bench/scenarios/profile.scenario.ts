import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLUSTER_KEYS, Cluster } from '../../test/support/cluster.util';
import { busyMs, lastPart, summarizeByPackage, summarizeProfile, type CpuProfile } from '../profile-summary';
import type { ReportTable, Scenario, ScenarioResult } from '../support/bench.types';
import { HttpClient, runPool } from '../support/http-client.util';
import { JobCounter } from '../support/job-count.util';
import { mockRequest } from '../support/mock-catalog.util';
import { endToEndCluster } from './end-to-end.scenario';
import { round } from '../support/stats.util';

const TOP = 8;

/**
 * j. Where the CPU goes: the end-to-end load of c (zero-latency upstream, 32 tokens, one inference replica) again,
 * with every service under `node --cpu-prof`. Each service's busy time over the load phase (start-up left out) is
 * split by package and by function, so each missed throughput target comes with the code that spent the time.
 * Profiling slows the services, so read the shares, not the rates.
 */
export const profileScenario: Scenario = {
  id: 'j-profile',
  title: 'CPU profiles of every service under the end-to-end load',
  async run(ctx): Promise<ScenarioResult> {
    const jobs = ctx.quick ? 1_000 : 3_000;
    const dir = mkdtempSync(join(tmpdir(), 'conveyor-prof-'));
    const cluster = await Cluster.start(endToEndCluster(ctx, `bench_prof_${process.pid}`, { cpuProfileDir: dir }));
    const client = new HttpClient(cluster.gatewayUrl, { authorization: `Bearer ${CLUSTER_KEYS.alice}` });
    const counter = await JobCounter.open(cluster.directDatabaseUrl);
    try {
      const t0 = performance.now();
      await runPool(jobs, 64, async (i) => {
        const res = await client.postJson('/v1/chat/completions', mockRequest(`prof-${i}`));
        if (res.status !== 202) throw new Error(`submit answered ${res.status}`);
      });
      await counter.waitForTerminal(jobs, 300_000, () => undefined, 200);
      const terminal = await counter.terminal();
      client.close();
      await counter.close();
      // The profiles are written as each process exits; the load phase is the end of each (up to the stop).
      await cluster.stop();
      const loadUs = (performance.now() - t0) * 1000;
      const metrics: Record<string, number> = { jobs, completed: terminal.completed };
      const tables: ReportTable[] = [];
      const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
      for (const file of files.sort()) {
        const service = file.replace(/\.cpuprofile$/, '').replace(`${cluster.spec.name}-`, '');
        const profile = lastPart(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, loadUs);
        const busy = busyMs(profile);
        metrics[`profiled_cpu_ms_per_job_${service}`] = round(busy / jobs);
        const rows = (list: Array<{ fn: string; selfMs: number; share: number }>) => list.map((r) => [`${r.share} %`, r.selfMs, r.fn]);
        tables.push({
          title: `${service}: ${round(busy)} busy ms over the load, by package`,
          header: ['share', 'ms', 'package'],
          rows: rows(summarizeByPackage(profile, TOP)),
        });
        tables.push({ title: `${service}: hottest functions`, header: ['share', 'ms', 'function'], rows: rows(summarizeProfile(profile, TOP)) });
      }
      ctx.progress.line(
        `${files.length} profiles, ${Object.entries(metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
      return {
        id: this.id,
        title: this.title,
        metrics,
        targets: [],
        tables,
        notes: [
          `${jobs} jobs as in c-end-to-end, every service run with node --cpu-prof; shares are of each service's busy (non-idle) samples during the load (from the first submit to the stop), start-up excluded.`,
          "Profiling slows every service, so its CPU-ms per job are higher than c-end-to-end's; they say where the time goes, c says how much there is.",
        ],
      };
    } finally {
      client.close();
      await counter.close().catch(() => undefined);
      await cluster.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
