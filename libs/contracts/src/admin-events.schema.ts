import { z } from 'zod';

/**
 * An admin revoked a key, or disabled or enabled a tenant. Broadcast to every replica that authenticates (transient):
 * each drops what it cached of that key or tenant at once. A replica that misses it (disconnected then) still
 * catches up when its cache entry expires (AUTH_CACHE_TTL_MS).
 */
export const AccessChangedSchema = z.object({
  reason: z.enum(['key_revoked', 'tenant_disabled', 'tenant_enabled']),
  tenant_id: z.string().min(1),
  /** The revoked key's id (never the key or its hash); absent when it is about a whole tenant. */
  key_id: z.uuid().optional(),
  changed_at: z.iso.datetime({ offset: true }),
});
export type AccessChanged = z.infer<typeof AccessChangedSchema>;

/** One job an inference worker is running. */
export const RunningJobSchema = z.object({
  job_id: z.uuid(),
  tenant_id: z.string().min(1),
  started_at: z.iso.datetime({ offset: true }),
});

/**
 * An inference worker is alive: broadcast every WORKER_HEARTBEAT_MS (transient) with its slots and the jobs it runs.
 * The gateway keeps the last one of each worker and forgets a worker silent for three beats.
 */
export const WorkerHeartbeatSchema = z.object({
  worker_id: z.string().min(1).max(200),
  slots: z.number().int().positive(),
  jobs: z.array(RunningJobSchema),
  started_at: z.iso.datetime({ offset: true }),
  sent_at: z.iso.datetime({ offset: true }),
  interval_ms: z.number().int().positive(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;
