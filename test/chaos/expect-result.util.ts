import type { ScenarioResult } from './chaos.types';

/** Asserts a scenario's result check by check, so a failure names the check, its measure and the details. */
export function expectPassed(result: ScenarioResult): void {
  const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.measured}`);
  expect({ failed, details: failed.length > 0 ? result.details : [] }).toEqual({ failed: [], details: [] });
}
