/** The largest share one tenant may be given against a weight-1 tenant of the same band. */
export const MAX_TENANT_WEIGHT = 100;

/**
 * Parses TENANT_WEIGHTS: `tenant:weight` pairs separated by commas (`tenant-a:4,tenant-b:0.5`). A tenant's weight is
 * its share of a band's worker time against the other tenants' shards (1 when not listed). Throws a readable
 * message for a malformed pair, so the config loader reports the setting by name.
 */
export function parseTenantWeights(text: string | undefined): ReadonlyMap<string, number> {
  const weights = new Map<string, number>();
  for (const pair of (text ?? '').split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const at = pair.lastIndexOf(':');
    const tenant = pair.slice(0, at).trim();
    const weight = Number(pair.slice(at + 1));
    if (at <= 0 || tenant === '') throw new Error(`"${pair}" is not tenant:weight`);
    if (!Number.isFinite(weight) || weight <= 0 || weight > MAX_TENANT_WEIGHT)
      throw new Error(`"${pair}": the weight must be a number above 0, at most ${MAX_TENANT_WEIGHT}`);
    if (weights.has(tenant)) throw new Error(`tenant "${tenant}" is listed twice`);
    weights.set(tenant, weight);
  }
  return weights;
}
