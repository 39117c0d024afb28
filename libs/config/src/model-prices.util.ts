import type { ModelCatalog } from './model-catalog.schema';

/** USD per million tokens. */
export interface TokenPrice {
  input: number;
  output: number;
}

/**
 * The prices of what requests name, for cost budgets. A model's price is its own (`input_price_per_mtok`,
 * `output_price_per_mtok`; a missing one counts 0). A group's is its own if it sets one, else the highest of the
 * prices its models and fallback groups have, input and output each: usage is recorded under the name the request
 * used, not the deployment that served it, so a group is priced at its dearest member and a cost budget is never
 * under-counted. A name with no price anywhere answers null: its tokens count towards token budgets only.
 */
export class ModelPrices {
  private readonly prices = new Map<string, TokenPrice | null>();

  constructor(catalog: ModelCatalog) {
    const own = (e: { input_price_per_mtok?: number; output_price_per_mtok?: number }): TokenPrice | null =>
      e.input_price_per_mtok === undefined && e.output_price_per_mtok === undefined
        ? null
        : { input: e.input_price_per_mtok ?? 0, output: e.output_price_per_mtok ?? 0 };
    for (const model of catalog.models) this.prices.set(model.name, own(model));
    const groups = new Map(catalog.groups.map((g) => [g.name, g]));
    const ofGroup = (name: string, seen: Set<string>): TokenPrice | null => {
      const group = groups.get(name);
      if (!group || seen.has(name)) return null;
      seen.add(name);
      const members = [...group.models.map((m) => this.prices.get(m) ?? null), ...(group.fallback_groups ?? []).map((g) => ofGroup(g, seen))];
      return own(group) ?? highest(members);
    };
    for (const group of catalog.groups) this.prices.set(group.name, ofGroup(group.name, new Set()));
  }

  priceOf(name: string): TokenPrice | null {
    return this.prices.get(name) ?? null;
  }

  /** The cost in USD of `promptTokens` and `completionTokens` of `name`, or null if it has no price. */
  costOf(name: string, promptTokens: number, completionTokens: number): number | null {
    const price = this.priceOf(name);
    return price ? (promptTokens * price.input + completionTokens * price.output) / 1_000_000 : null;
  }
}

function highest(prices: ReadonlyArray<TokenPrice | null>): TokenPrice | null {
  const known = prices.filter((p): p is TokenPrice => p !== null);
  if (known.length === 0) return null;
  return { input: Math.max(...known.map((p) => p.input)), output: Math.max(...known.map((p) => p.output)) };
}
