import { PRIORITY_BANDS, type Band } from '@conveyor/config';

/**
 * The band a request gets: the one it asked for if the tenant may use it, else the highest allowed band below it.
 * Priority is a scheduling hint, so a request above its entitlement is lowered rather than refused: revoking a
 * tenant's `high` does not break its clients. Null when no allowed band is at or below the one asked for (a tenant
 * allowed only higher bands): raising a request is not ours to do, so that is refused.
 */
export function entitledBand(requested: Band, allowed: readonly Band[]): Band | null {
  const from = PRIORITY_BANDS.indexOf(requested);
  return PRIORITY_BANDS.slice(from).find((band) => allowed.includes(band)) ?? null;
}
