import type { ModelUsage } from '@conveyor/database';
import type { BudgetView } from '../admission/budget.service';

/** One model's usage in `GET /v1/usage`, in OpenAI's token vocabulary. */
export interface ModelUsageView {
  model: string;
  /** Jobs counted: completed ones, and ones cancelled mid-generation. */
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Part of total_tokens counted with a tokenizer because the provider reported none; present only when non-zero. */
  estimated_tokens?: number;
}

export interface UsageListView {
  object: 'list';
  data: ModelUsageView[];
  totals: Omit<ModelUsageView, 'model'>;
  /** Spend in the current UTC day and month against the tenant's budgets. */
  budgets?: BudgetView;
}

/** The tenant's usage per model and summed over all its models. */
export function presentUsage(rows: readonly ModelUsage[]): UsageListView {
  const data = rows.map((row) => ({ model: row.model, ...counts(row) }));
  const sum = rows.reduce(
    (acc, row) => ({
      requests: acc.requests + row.requests,
      promptTokens: acc.promptTokens + row.promptTokens,
      completionTokens: acc.completionTokens + row.completionTokens,
      totalTokens: acc.totalTokens + row.totalTokens,
      estimatedTokens: acc.estimatedTokens + row.estimatedTokens,
    }),
    { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, estimatedTokens: 0 },
  );
  return { object: 'list', data, totals: counts(sum) };
}

function counts(row: Omit<ModelUsage, 'model'>): Omit<ModelUsageView, 'model'> {
  return {
    requests: row.requests,
    prompt_tokens: row.promptTokens,
    completion_tokens: row.completionTokens,
    total_tokens: row.totalTokens,
    ...(row.estimatedTokens > 0 && { estimated_tokens: row.estimatedTokens }),
  };
}
