import type { LoadPoint, LoadSeries } from './bench.types';
import type { RateOutcome } from './fixed-rate.util';
import { round } from './stats.util';

/** A server under a stepped load: runs one fixed-rate phase at the offered rate. */
export interface StepTarget {
  name: string;
  atRate(rps: number): Promise<RateOutcome>;
}

export interface StepLimits {
  /** A step passes with p99 at most this… */
  p99Ms: number;
  /** …no errors, and at least this share of the offered rate achieved. */
  minAchievedShare: number;
}

export interface SteppedResult {
  name: string;
  steps: RateOutcome[];
  /** The highest offered rate that passed; null if none did. */
  bestRps: number | null;
  /** Why stepping stopped for this target (`passed every step` if it never failed). */
  stopReason: string;
}

/** Why a step does not pass, or null if it does. */
export function stepFailure(o: RateOutcome, limits: StepLimits): string | null {
  if (o.errors > 0) return `${o.errors} errors at ${o.offeredRps} req/s`;
  if (!(o.p99Ms <= limits.p99Ms)) return `p99 ${o.p99Ms.toFixed(1)} ms > ${limits.p99Ms} ms at ${o.offeredRps} req/s`;
  if (o.achievedRps < o.offeredRps * limits.minAchievedShare) return `achieved ${Math.round(o.achievedRps)} of ${o.offeredRps} req/s offered`;
  return null;
}

/**
 * Steps every target through the same rising rates, interleaved: at each rate every target still passing runs
 * its phase (the order alternating from step to step) before any goes on to the next rate, so a noisy spell on the
 * shared machine lands on all of them. A target stops at its first failing step (which is still recorded).
 */
export async function stepUp(
  targets: readonly StepTarget[],
  rates: readonly number[],
  limits: StepLimits,
  onStep: (name: string, outcome: RateOutcome, failure: string | null) => void,
  pause: () => Promise<void> = async () => undefined,
): Promise<SteppedResult[]> {
  const results = targets.map((t): SteppedResult => ({ name: t.name, steps: [], bestRps: null, stopReason: 'passed every step' }));
  const active = new Set(targets.map((_, i) => i));
  for (const [stepIndex, rps] of rates.entries()) {
    const order = [...active].sort((a, b) => (stepIndex % 2 === 0 ? a - b : b - a));
    for (const i of order) {
      const outcome = await targets[i]!.atRate(rps);
      const failure = stepFailure(outcome, limits);
      results[i]!.steps.push(outcome);
      onStep(targets[i]!.name, outcome, failure);
      if (failure) {
        results[i]!.stopReason = failure;
        active.delete(i);
      } else results[i]!.bestRps = rps;
      await pause();
    }
    if (active.size === 0) break;
  }
  return results;
}

/** A stepped result as a latency-vs-offered-load curve for the plot. */
export function toSeries(name: string, result: SteppedResult): LoadSeries {
  const points: LoadPoint[] = result.steps.map((s) => ({
    rps: s.offeredRps,
    p50Ms: round(s.p50Ms),
    p90Ms: round(s.p90Ms),
    p99Ms: round(s.p99Ms),
    errors: s.errors,
  }));
  return { name, points };
}
