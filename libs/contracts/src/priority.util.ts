/** Priority bands, highest first. Workers always drain a higher band before a lower one. */
export const PRIORITY_BANDS = ['high', 'normal', 'low'] as const;
export type PriorityBand = (typeof PRIORITY_BANDS)[number];

const NAMED: Record<string, PriorityBand> = { high: 'high', normal: 'normal', medium: 'normal', low: 'low' };

export const PRIORITY_MIN = -10;
export const PRIORITY_MAX = 10;

/**
 * Maps a request's `priority` onto a band.
 * Names are case-insensitive (`"medium"` is normal, as seed 002 says); integers −10…10 follow seed 004:
 * ≥ 5 is high, ≤ −5 is low, anything else normal. Returns null for anything else.
 */
export function parsePriority(value: unknown): PriorityBand | null {
  if (value === undefined || value === null) return 'normal';
  if (typeof value === 'string') return NAMED[value.trim().toLowerCase()] ?? null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= PRIORITY_MIN && value <= PRIORITY_MAX) {
    if (value >= 5) return 'high';
    if (value <= -5) return 'low';
    return 'normal';
  }
  return null;
}
