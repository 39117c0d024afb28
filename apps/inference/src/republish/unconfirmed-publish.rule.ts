/** Room for the clocks of the gateway (which stamps `created_at`) and of the worker, which differ a little. */
export const CLOCK_LEEWAY_MS = 1_000;

/**
 * Whether a job's first delivery may be a submission the gateway refused: its publish reached the queue, but the
 * broker's confirm did not reach the gateway, which answered 503 and removed the job's row. That takes a
 * connection cut or a confirm slower than the publish timeout, so the worker reads the row (and leaves a job with
 * none unrun) for a message published before its consumer last (re)connected, or one older than the gateway's
 * publish timeout. A fresh message on a steady connection runs without the read.
 */
export function mayBeRefusedSubmission(createdAt: string, consumingSince: number, publishTimeoutMs: number, now = Date.now()): boolean {
  const created = Date.parse(createdAt);
  if (Number.isNaN(created)) return true;
  return created <= consumingSince + CLOCK_LEEWAY_MS || now - created >= publishTimeoutMs;
}
