import { Client } from 'pg';
import { CLUSTER_KEYS, type Cluster } from '../../test/support/cluster.util';
import { percentile, round } from './stats.util';

/** The stages one synchronous completion goes through, as its job row and the client see them. */
export const STAGES = ['client → row created', 'created → started', 'started → completed', 'completed → answer', 'provider call (worker)', 'total'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Sends `requests` synchronous completions, one at a time, to the cluster's `/openai/v1/chat/completions` and splits
 * each by its job row's timestamps: client → row created (HTTP, auth, validation, the insert), created → started
 * (publish + confirm, the worker's take and status read, `job.started`), started → completed (the provider call as
 * the worker saw it, and the outcome's way into the row), completed → answer (the terminal event's way back to the
 * gateway and the response). Rows keep milliseconds, so read each stage as ± 1 ms. Answers the p50 of each.
 */
export async function latencyStages(cluster: Cluster, requests: number, model = 'mock'): Promise<Record<Stage, number>> {
  const db = new Client({ connectionString: cluster.directDatabaseUrl });
  await db.connect();
  try {
    const stages = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
    for (let i = 0; i < requests; i++) {
      const sentAt = Date.now();
      const res = await fetch(`${cluster.gatewayUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: `stages ${i}` }] }),
      });
      await res.text();
      const answeredAt = Date.now();
      const { rows } = await db.query<{ created_at: Date; started_at: Date; completed_at: Date; attempts_log: Array<{ latency_ms: number }> }>(
        'SELECT created_at, started_at, completed_at, attempts_log FROM jobs WHERE id = $1',
        [res.headers.get('x-conveyor-job-id')],
      );
      const job = rows[0];
      if (!job?.completed_at) throw new Error(`request ${i}: no completed job row (answer ${res.status})`);
      stages['client → row created'].push(+job.created_at - sentAt);
      stages['created → started'].push(+job.started_at - +job.created_at);
      stages['started → completed'].push(+job.completed_at - +job.started_at);
      stages['completed → answer'].push(answeredAt - +job.completed_at);
      stages['provider call (worker)'].push(job.attempts_log[0]?.latency_ms ?? Number.NaN);
      stages.total.push(answeredAt - sentAt);
    }
    return Object.fromEntries(STAGES.map((s) => [s, round(percentile(stages[s], 50))])) as Record<Stage, number>;
  } finally {
    await db.end();
  }
}
