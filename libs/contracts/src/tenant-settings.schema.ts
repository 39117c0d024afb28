import { z } from 'zod';
import { PRIORITY_BANDS, type PriorityBand } from './priority.util';

/** One band's settings: the most completion tokens a job may ask for, and the latency target (ms) a waiting caller is held to. */
export const BandSettingsSchema = z.object({
  tokens: z.number().int().min(1),
  latency_ms: z.number().int().min(1),
});
export type BandSettings = z.infer<typeof BandSettingsSchema>;

/** A tenant's settings per band, as stored (each band optional: an unset band takes the defaults). */
export const StoredBandSettingsSchema = z.object(
  Object.fromEntries(PRIORITY_BANDS.map((band) => [band, BandSettingsSchema.partial().optional()])) as Record<
    PriorityBand,
    z.ZodOptional<ReturnType<typeof BandSettingsSchema.partial>>
  >,
);
export type StoredBandSettings = z.infer<typeof StoredBandSettingsSchema>;

/**
 * A tenant's settings changed (its bands or its provider keys). Broadcast to every gateway replica and worker,
 * which drop what they hold for the tenant and read it again: the message carries no setting, and never a key.
 */
export const TenantSettingsChangedSchema = z.object({
  tenant_id: z.string().min(1),
  changed_at: z.iso.datetime({ offset: true }),
});
export type TenantSettingsChanged = z.infer<typeof TenantSettingsChangedSchema>;
