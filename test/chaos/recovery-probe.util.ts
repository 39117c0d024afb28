import { CLUSTER_KEYS } from '../support/cluster.util';
import { openSse } from '../support/sse-client.util';
import { WebhookReceiver } from '../support/webhook-receiver.util';
import type { Cluster } from '../support/cluster.util';

/** Polls `GET /health/ready` until the gateway says broker and database are ready; answers how long it took. */
export async function waitUntilReady(gatewayUrl: string, timeoutMs: number): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const ok = await fetch(`${gatewayUrl}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

export interface ProbeResult {
  /** The post-outage job completed (gateway → inference → persistence). */
  completed: boolean;
  /** Its stream on the streaming service ended with `completed` (streaming reconnected). */
  streamed: boolean;
  /** Its callback reached the receiver (notification reconnected). */
  notified: boolean;
  detail: string;
}

/**
 * After an outage, one job through every service: submitted with a callback_url, streamed from the streaming
 * service, and awaited in PostgreSQL. Each service's part is answered separately, so a service that did not
 * reconnect shows up by name. Retries the submit while the gateway still refuses (503).
 */
export async function probeEveryService(cluster: Cluster, marker: string, timeoutMs: number): Promise<ProbeResult> {
  const receiver = await WebhookReceiver.start();
  const auth = { authorization: `Bearer ${CLUSTER_KEYS.alice}` };
  const deadline = Date.now() + timeoutMs;
  try {
    let jobId: string | null = null;
    let last = '';
    while (!jobId && Date.now() < deadline) {
      const res = await fetch(`${cluster.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        // High priority: the probe asks whether every service is back, not how long the backlog of the load takes.
        body: JSON.stringify({ messages: [{ role: 'user', content: marker }], callback_url: receiver.url, priority: 'high' }),
      }).catch((err: Error) => ({ status: 0, json: async () => ({ error: err.message }) }));
      if (res.status === 202) {
        const accepted = (await res.json()) as { job_id: string; callback_secret: string };
        jobId = accepted.job_id;
        receiver.trust(accepted.callback_secret);
      } else last = `submit answered ${res.status}`;
      if (!jobId) await new Promise((r) => setTimeout(r, 250));
    }
    if (!jobId) return { completed: false, streamed: false, notified: false, detail: last };
    const stream = await openSse(`${cluster.streamingUrl}/v1/jobs/${jobId}/stream`, auth);
    const streamed = await Promise.race([stream.done.then(() => stream.events.at(-1)?.event === 'completed'), sleep(deadline - Date.now()).then(() => false)]);
    let status = '';
    while (Date.now() < deadline) {
      const res = await fetch(`${cluster.gatewayUrl}/v1/jobs/${jobId}`, { headers: auth });
      status = res.status === 200 ? ((await res.json()) as { status: string }).status : `http ${res.status}`;
      if (['completed', 'failed', 'cancelled'].includes(status)) break;
      await sleep(100);
    }
    const delivered = await receiver.waitFor(1, Math.max(1, deadline - Date.now())).then(
      () => true,
      () => false,
    );
    // Delivered counts only when signed: the reference library verifies it with the job's callback secret.
    const unverified = receiver.unverified();
    const notified = delivered && unverified.length === 0;
    return {
      completed: status === 'completed',
      streamed,
      notified,
      detail: `probe job ${jobId} ${status}, stream ${stream.status} ${stream.events.at(-1)?.event ?? 'no events'}${
        unverified.length > 0 ? `, webhook signature: ${unverified[0]!.why}` : ''
      }`,
    };
  } finally {
    await receiver.stop();
  }
}

/** A pause that never keeps the process alive on its own (it races streams that may already be over). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)).unref());
