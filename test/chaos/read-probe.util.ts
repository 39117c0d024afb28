import { CLUSTER_KEYS } from '../support/cluster.util';

/** How the job API answered reads while something was down. */
export interface ReadTally {
  ok: number;
  unavailable: number;
  /** 503 without Retry-After, 500, 404 or no answer: what a client could not act on. */
  other: number;
  samples: string[];
}

/**
 * Reads accepted jobs (`GET /v1/jobs/{id}`, as their tenant) in a loop until `stop()`: during a database outage
 * every answer should be a 503 with Retry-After (or a 200 served without the database), never a 500.
 */
export async function readWhile(gatewayUrl: string, jobs: () => Array<{ jobId: string; tenant: string }>, stop: () => boolean): Promise<ReadTally> {
  const tally: ReadTally = { ok: 0, unavailable: 0, other: 0, samples: [] };
  let i = 0;
  while (!stop()) {
    const list = jobs();
    const job = list[i++ % Math.max(1, list.length)];
    if (!job) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const key = job.tenant === 'tenant-alice' ? CLUSTER_KEYS.alice : CLUSTER_KEYS.bob;
    try {
      const res = await fetch(`${gatewayUrl}/v1/jobs/${job.jobId}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (res.status === 200) tally.ok++;
      else if (res.status === 503 && res.headers.get('retry-after')) tally.unavailable++;
      else {
        tally.other++;
        if (tally.samples.length < 3) tally.samples.push(`GET /v1/jobs/${job.jobId} → ${res.status} ${body.slice(0, 160)}`);
      }
    } catch (err) {
      tally.other++;
      if (tally.samples.length < 3) tally.samples.push(`GET /v1/jobs/${job.jobId} → no answer: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return tally;
}
