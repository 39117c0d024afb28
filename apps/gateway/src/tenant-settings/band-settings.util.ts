import { PRIORITY_BANDS, StoredBandSettingsSchema, type BandSettings, type PriorityBand } from '@conveyor/contracts';

/** Seed 002's latency targets per band, which apply until a tenant sets its own. */
export const DEFAULT_LATENCY_MS: Readonly<Record<PriorityBand, number>> = { high: 500, normal: 2_000, low: 5_000 };

/**
 * A tenant's settings in force per band: what it stored over the defaults. The default token cap is the
 * operator's MAX_TOKENS_CAP, so a tenant that sets nothing keeps exactly what it had; a stored document this
 * gateway cannot read (written by a newer one, or by hand) counts as nothing stored.
 */
export function effectiveBands(stored: unknown, maxTokensCap: number): Record<PriorityBand, BandSettings> {
  const parsed = StoredBandSettingsSchema.safeParse(stored);
  const own = parsed.success ? parsed.data : {};
  return Object.fromEntries(
    PRIORITY_BANDS.map((band) => [
      band,
      { tokens: Math.min(own[band]?.tokens ?? maxTokensCap, maxTokensCap), latency_ms: own[band]?.latency_ms ?? DEFAULT_LATENCY_MS[band] },
    ]),
  ) as Record<PriorityBand, BandSettings>;
}

/**
 * The `max_tokens` a job of the band gets: what it asked for, clamped to the band's cap. A request that asks for
 * nothing gets the cap only when the tenant lowered it below MAX_TOKENS_CAP (else the provider's default, as before).
 */
export function cappedMaxTokens(requested: number | undefined, cap: number, maxTokensCap: number): number | undefined {
  if (requested === undefined) return cap < maxTokensCap ? cap : undefined;
  return Math.min(requested, cap);
}
