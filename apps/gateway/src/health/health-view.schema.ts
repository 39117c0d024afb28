import { z } from 'zod';

/** `GET /health` and `GET /health/ready`; `starting` (503) while the service waits for its broker or database. */
export const HealthViewSchema = z.object({
  status: z.enum(['ok', 'degraded', 'starting']),
  broker: z.object({ ready: z.boolean() }),
  database: z.object({ ready: z.boolean() }),
  /** While starting: the dependencies that have not answered yet. */
  missing: z.array(z.enum(['broker', 'database'])).optional(),
});
export type HealthView = z.infer<typeof HealthViewSchema>;
