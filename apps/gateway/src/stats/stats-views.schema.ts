import { z } from 'zod';
import { JOB_STATUSES, PRIORITY_BANDS } from '@conveyor/contracts';

const BandDepthSchema = z.object({
  queues: z.array(z.string()),
  /** Ready messages (jobs waiting); jobs a worker holds are `running` in `jobs`. */
  messages: z.number().int(),
  consumers: z.number().int(),
});

/** `GET /stats` (seed 004): the bands' queues from the broker, the workers, and the caller's jobs by status. */
export const StatsSchema = z.object({
  broker: z.object({ kind: z.enum(['rabbitmq', 'in-process']), ready: z.boolean() }),
  /** Per band, read from the broker; null when it cannot be reached. */
  queues: z.record(z.enum(PRIORITY_BANDS), BandDepthSchema).nullable(),
  workers: z.object({
    /** Workers consuming the job queues, from the broker's consumer counts (a worker whose slots are all busy pauses its consumers). */
    consumers: z.number().int().nullable(),
    /** Distinct workers running a job now, from the database. */
    busy: z.number().int(),
  }),
  /** The caller's jobs by status, from the database. */
  jobs: z.record(z.enum(JOB_STATUSES), z.number().int()),
});

const DeploymentStateSchema = z.object({
  id: z.string(),
  provider: z.string(),
  upstream_model: z.string(),
  /**
   * `configured`: in the catalogue, no call in the window; `ok` / `failing`: the latest recorded call succeeded /
   * failed. The gateway calls no upstream itself: this is what the workers' calls of recent jobs showed.
   */
  state: z.enum(['configured', 'ok', 'failing']),
  recent: z.object({ calls: z.number().int(), errors: z.number().int(), last_outcome: z.enum(['ok', 'error', 'cancelled']), last_at: z.string() }).nullable(),
});

/** `GET /health/full` (seed 004): broker, database, and each deployment of the models the caller may use. */
export const FullHealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  broker: z.object({ kind: z.enum(['rabbitmq', 'in-process']), ready: z.boolean() }),
  database: z.object({ ready: z.boolean() }),
  /** How far back `recent` looks. */
  window_s: z.number().int(),
  models: z.array(z.object({ name: z.string(), deployments: z.array(DeploymentStateSchema) })),
  groups: z.array(z.object({ name: z.string(), models: z.array(z.string()), fallback_groups: z.array(z.string()) })),
});

export type StatsView = z.infer<typeof StatsSchema>;
export type FullHealthView = z.infer<typeof FullHealthSchema>;
export type DeploymentStateView = z.infer<typeof DeploymentStateSchema>;
