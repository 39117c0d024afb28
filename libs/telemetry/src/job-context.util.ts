import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the job being handled, for log lines: set at each edge (inbound messages, `:jobId` routes), read by the logger. */
const jobIds = new AsyncLocalStorage<string>();

/** Runs `fn` with `jobId` as the job of every line it logs, across its awaits. The string itself is the store: nothing is built. */
export function withJobId<T>(jobId: string, fn: () => T): T {
  return jobIds.run(jobId, fn);
}

/** The job being handled here, or undefined outside any. */
export function currentJobId(): string | undefined {
  return jobIds.getStore();
}
