/** What every fault scenario gets and gives back: the runner and the jest tests share these shapes. */

/** A progress sink: the CLI prints to stderr, the jest tests stay quiet. */
export type ProgressFn = (message: string) => void;

export const quiet: ProgressFn = () => undefined;

/** Options every scenario accepts on top of its own sizes. */
export interface CommonOptions {
  /** Names the scenario's vhost and database; unique per run so nothing collides. */
  runId?: string;
  progress?: ProgressFn;
}

/** One named pass/fail condition with what was measured. */
export interface Check {
  name: string;
  passed: boolean;
  measured: string;
}

/** A scenario's result record: flat figures for the report tables, the checks behind PASS/FAIL, and notes. */
export interface ScenarioResult {
  id: string;
  title: string;
  passed: boolean;
  durationMs: number;
  figures: Record<string, number | string | boolean | null>;
  checks: Check[];
  /** Human-readable details: the first few lost or duplicated jobs, odd responses, what was cut when. */
  details: string[];
}

/** Builds a result from its checks: it passes only if every check does. */
export function resultOf(
  id: string,
  title: string,
  startedAt: number,
  figures: ScenarioResult['figures'],
  checks: Check[],
  details: string[] = [],
): ScenarioResult {
  return { id, title, passed: checks.every((c) => c.passed), durationMs: Date.now() - startedAt, figures, checks, details };
}

export function check(name: string, passed: boolean, measured: string | number): Check {
  return { name, passed, measured: String(measured) };
}

/** A default run id: the process and a random suffix, so two runs (or two tests) never share a vhost. */
export function defaultRunId(): string {
  return `${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
}
