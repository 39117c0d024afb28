import { CLUSTER_KEYS } from '../support/cluster.util';
import type { Ledger } from './ledger.util';

export interface SubmitOptions {
  gatewayUrl: string;
  model: string;
  /** Extra body fields (callback_url, priority, …). */
  extra?: Record<string, unknown>;
}

const TENANTS = [
  { key: CLUSTER_KEYS.alice, tenant: 'tenant-alice' },
  { key: CLUSTER_KEYS.bob, tenant: 'tenant-bob' },
] as const;

/**
 * Submits one job with a fresh marker and files the answer in the ledger: 202 → accepted (job id, tenant,
 * marker); 503 with Retry-After → refused; anything else, or no answer, → odd. Tenants alternate.
 */
export async function submitOne(ledger: Ledger, opts: SubmitOptions): Promise<'accepted' | 'refused' | 'odd'> {
  const marker = ledger.nextMarker();
  const { key, tenant } = TENANTS[ledger.accepted.length % 2]!;
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${opts.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: opts.model, messages: [{ role: 'user', content: marker }], ...opts.extra }),
      signal: AbortSignal.timeout(30_000),
    });
    text = await res.text();
  } catch (err) {
    ledger.odd.push({ marker, status: 'network', detail: (err as Error).message });
    return 'odd';
  }
  if (res.status === 202) {
    ledger.accept({ jobId: (JSON.parse(text) as { job_id: string }).job_id, tenant, marker });
    return 'accepted';
  }
  if (res.status === 503 && res.headers.get('retry-after')) {
    ledger.refused.push(marker);
    return 'refused';
  }
  ledger.odd.push({ marker, status: res.status, detail: text.slice(0, 200) });
  return 'odd';
}

export interface LoadOptions extends SubmitOptions {
  /** Submissions in flight at once. */
  concurrency: number;
  /** Stop once this many jobs were accepted (202s)… */
  acceptedTarget?: number;
  /** …or when this says so (checked before each submission). */
  stop?: () => boolean;
  /** Pause after a refusal, as a client honouring Retry-After would (shortened: the scenario wants pressure). */
  backoffMs?: number;
}

/**
 * A closed-loop load: `concurrency` loops, each submitting one job after another until the accepted target is
 * reached or `stop()` says so. Refused and odd submissions are not retried under the same marker.
 */
export async function runLoad(ledger: Ledger, opts: LoadOptions): Promise<void> {
  let inFlight = 0;
  const target = opts.acceptedTarget ?? Number.POSITIVE_INFINITY;
  const done = () => (opts.stop?.() ?? false) || ledger.accepted.length >= target;
  const loop = async (): Promise<void> => {
    while (!done()) {
      // Enough already in flight to reach the target: wait for their answers (one may be refused).
      if (ledger.accepted.length + inFlight >= target) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      inFlight++;
      const outcome = await submitOne(ledger, opts).finally(() => inFlight--);
      if (outcome !== 'accepted') await new Promise((r) => setTimeout(r, opts.backoffMs ?? 100));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
}
