import { z } from 'zod';

const LATENCY_MAX_MS = 3_600_000;

function bandPatch(maxTokensCap: number) {
  return z.object(
    {
      tokens: z
        .number({ error: 'must be an integer' })
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(maxTokensCap, `must be at most ${maxTokensCap} (MAX_TOKENS_CAP)`)
        .optional(),
      latency_ms: z
        .number({ error: 'must be an integer' })
        .int('must be an integer')
        .min(1, 'must be at least 1')
        .max(LATENCY_MAX_MS, `must be at most ${LATENCY_MAX_MS}`)
        .optional(),
    },
    { error: 'must be an object with tokens and/or latency_ms' },
  );
}

/**
 * Seed 002's `PUT /v1/settings` body, every field optional (only what is given changes). `api_key`: the tenant's own
 * provider key for `deployment` (an addition; by default the default model's deployment), or null to remove it.
 * The key is validated without ever being quoted back.
 */
export function settingsUpdateSchema(maxTokensCap: number) {
  return z.object({
    api_key: z
      .string({ error: 'must be a string (or null to remove the key)' })
      .trim()
      .min(8, 'must be at least 8 characters')
      .max(4096, 'holds at most 4096 characters')
      .regex(/^\S+$/, 'must not contain spaces')
      .nullable()
      .optional(),
    deployment: z.string({ error: 'must name a deployment' }).min(1).max(256).optional(),
    high_priority: bandPatch(maxTokensCap).optional(),
    medium_priority: bandPatch(maxTokensCap).optional(),
    low_priority: bandPatch(maxTokensCap).optional(),
  });
}
export type SettingsUpdate = z.infer<ReturnType<typeof settingsUpdateSchema>>;
