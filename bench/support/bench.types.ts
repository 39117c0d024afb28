import type { Progress } from './progress.util';

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** The bench upstream (bench/upstream), already running as its own process. */
  upstreamUrl: string;
  /** BENCH_QUICK=1: shorter phases and smaller loads, for trying the harness out (figures are then rough). */
  quick: boolean;
  progress: Progress;
}

/** One latency distribution at one offered load, for the percentile-vs-load plot. */
export interface LoadPoint {
  /** Offered (or achieved) requests per second. */
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errors: number;
}

/** A named curve of LoadPoints (e.g. "Conveyor submit (202)", "bare Fastify"). */
export interface LoadSeries {
  name: string;
  points: LoadPoint[];
}

/** A benchmark target, judged against what this run measured. */
export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
  /** For a missed target: where the time or CPU went, from this run's own readings (profile, stages, CPU busy). */
  why?: string;
}

/** A table a scenario adds to the report (a profile's top entries, stages of a request). */
export interface ReportTable {
  title: string;
  header: string[];
  rows: Array<Array<string | number>>;
}

export interface ScenarioResult {
  /** Short id (`a-latency`, `b-submit`, …) used for the JSON key and `npm run bench -- <id>`. */
  id: string;
  title: string;
  /** Flat figures for the JSON and the markdown table; ratios say what they are a ratio to. */
  metrics: Record<string, number | string | null>;
  targets: TargetCheck[];
  /** Latency-vs-load curves to plot. */
  series?: LoadSeries[];
  tables?: ReportTable[];
  notes?: string[];
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}
