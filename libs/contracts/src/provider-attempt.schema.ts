import { z } from 'zod';

export const ATTEMPT_OUTCOMES = ['ok', 'error', 'cancelled'] as const;

/**
 * One call to one deployment while running a job. A job records every call it made (retries and fallbacks
 * included), so `GET /v1/jobs/{id}` can show why it ended where it did. Never carries a key or a prompt.
 */
export const ProviderAttemptSchema = z.object({
  deployment: z.string().min(1),
  provider: z.string().min(1),
  upstream_model: z.string().min(1),
  outcome: z.enum(ATTEMPT_OUTCOMES),
  latency_ms: z.number().int().nonnegative(),
  error: z.object({ message: z.string(), status: z.number().int().optional() }).optional(),
});
export type ProviderAttempt = z.infer<typeof ProviderAttemptSchema>;
