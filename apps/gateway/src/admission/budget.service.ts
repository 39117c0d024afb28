import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelPrices, type Budgets, type ConveyorConfig } from '@conveyor/config';
import { USAGE_STORE, type UsageStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { periodsOf, type BudgetPeriods } from './budget-period.util';

/** What a tenant spent in one period, and its budgets there. */
export interface PeriodSpend {
  start: string;
  resets_at: string;
  tokens: number;
  /** USD at the catalogue's prices; models without a price count nothing here. */
  cost_usd: number;
  token_budget: number | null;
  cost_budget_usd: number | null;
}

/** Spend against budgets, as `GET /v1/usage` shows it. */
export interface BudgetView {
  day: PeriodSpend;
  month: PeriodSpend;
}

interface Spend {
  periods: BudgetPeriods;
  day: { tokens: number; usd: number };
  month: { tokens: number; usd: number };
  at: number;
}

/**
 * Token and cost budgets per UTC day and month. Spend is what the tenant's ended jobs recorded in `usage_records`
 * (so jobs still running count once they end, and a budget can be overshot by the jobs in flight when it is
 * crossed); cost uses the catalogue's `input_price_per_mtok` / `output_price_per_mtok`. A tenant without budgets
 * costs no query; one with budgets one aggregate per BUDGET_CHECK_CACHE_MS per replica.
 */
@Injectable()
export class BudgetService {
  private readonly prices: ModelPrices;
  private readonly cache = new Map<string, Spend>();
  private static readonly MAX_CACHED = 10_000;

  constructor(
    @Inject(USAGE_STORE) private readonly usage: UsageStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.prices = new ModelPrices(config.models);
  }

  /** Throws 429 `insufficient_quota` once any budget is used up. */
  async check(tenantId: string, budgets: Budgets): Promise<void> {
    if (budgets.daily_tokens === null && budgets.monthly_tokens === null && budgets.daily_usd === null && budgets.monthly_usd === null) return;
    const spend = await this.spendOf(tenantId, Date.now() - this.config.admission.budgetCacheMs);
    const over = (
      [
        [budgets.daily_tokens, spend.day.tokens, 'daily token', 'tokens', spend.periods.dayEnd],
        [budgets.monthly_tokens, spend.month.tokens, 'monthly token', 'tokens', spend.periods.monthEnd],
        [budgets.daily_usd, spend.day.usd, 'daily cost', 'USD', spend.periods.dayEnd],
        [budgets.monthly_usd, spend.month.usd, 'monthly cost', 'USD', spend.periods.monthEnd],
      ] as const
    ).find(([budget, used]) => budget !== null && used >= budget);
    if (!over) return;
    const [budget, used, what, unit, resets] = over;
    throw new ConveyorException(
      ErrorCode.QuotaExceeded,
      `You exceeded your ${what} budget (${budget} ${unit}; used ${round(used)}). It resets at ${resets.toISOString()}.`,
    );
  }

  /** The tenant's spend this UTC day and month against its budgets (read fresh). */
  async view(tenantId: string, budgets: Budgets): Promise<BudgetView> {
    const spend = await this.spendOf(tenantId, Date.now());
    const period = (start: Date, end: Date, used: { tokens: number; usd: number }, tokens: number | null, usd: number | null): PeriodSpend => ({
      start: start.toISOString(),
      resets_at: end.toISOString(),
      tokens: used.tokens,
      cost_usd: round(used.usd),
      token_budget: tokens,
      cost_budget_usd: usd,
    });
    const { periods } = spend;
    return {
      day: period(periods.dayStart, periods.dayEnd, spend.day, budgets.daily_tokens, budgets.daily_usd),
      month: period(periods.monthStart, periods.monthEnd, spend.month, budgets.monthly_tokens, budgets.monthly_usd),
    };
  }

  /** The tenant's spend, from the cache if it was read after `freshAfter` in the current periods. */
  private async spendOf(tenantId: string, freshAfter: number): Promise<Spend> {
    const periods = periodsOf(new Date());
    const cached = this.cache.get(tenantId);
    if (cached && cached.at > freshAfter && cached.periods.dayStart.getTime() === periods.dayStart.getTime()) return cached;
    const at = Date.now();
    const models = await this.usage.spendByModel(tenantId, periods.monthStart, periods.dayStart);
    const spend: Spend = { periods, day: { tokens: 0, usd: 0 }, month: { tokens: 0, usd: 0 }, at };
    for (const m of models) {
      spend.day.tokens += m.day.totalTokens;
      spend.month.tokens += m.month.totalTokens;
      spend.day.usd += this.prices.costOf(m.model, m.day.promptTokens, m.day.completionTokens) ?? 0;
      spend.month.usd += this.prices.costOf(m.model, m.month.promptTokens, m.month.completionTokens) ?? 0;
    }
    if (this.cache.size >= BudgetService.MAX_CACHED) this.cache.clear();
    this.cache.set(tenantId, spend);
    return spend;
  }
}

/** USD to a millionth of a dollar (a fraction of a token's price at most). */
function round(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}
