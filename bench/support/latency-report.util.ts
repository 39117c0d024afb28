import type { TargetCheck } from './bench.types';
import type { ProbeSamples } from './interleaved-rounds.util';
import { percentile, round } from './stats.util';

/** p50/p99 of one target and what it adds over the direct baseline, percentile by percentile. */
export interface AddedLatency {
  p50: number;
  p99: number;
  addedP50: number;
  addedP99: number;
}

export function addedOver(target: ProbeSamples, direct: ProbeSamples): AddedLatency {
  const p50 = percentile(target.samples, 50);
  const p99 = percentile(target.samples, 99);
  return { p50, p99, addedP50: p50 - percentile(direct.samples, 50), addedP99: p99 - percentile(direct.samples, 99) };
}

/** Conveyor's added p50 over Portkey's; null when Portkey's is not positive (a ratio to ~0 says nothing). */
export function addedRatio(conveyor: AddedLatency, portkey: AddedLatency): number | null {
  return portkey.addedP50 > 0 ? conveyor.addedP50 / portkey.addedP50 : null;
}

/** The flat metrics of one mode (`''` for full answers, `ttft_` for time to first token). */
export function latencyMetrics(prefix: string, direct: ProbeSamples, conveyor: AddedLatency, portkey: AddedLatency): Record<string, number | null> {
  const ratio = addedRatio(conveyor, portkey);
  return {
    [`direct_${prefix}p50_ms`]: round(percentile(direct.samples, 50)),
    [`direct_${prefix}p99_ms`]: round(percentile(direct.samples, 99)),
    [`conveyor_${prefix}p50_ms`]: round(conveyor.p50),
    [`conveyor_${prefix}p99_ms`]: round(conveyor.p99),
    [`conveyor_${prefix}added_p50_ms`]: round(conveyor.addedP50),
    [`conveyor_${prefix}added_p99_ms`]: round(conveyor.addedP99),
    [`portkey_${prefix}p50_ms`]: round(portkey.p50),
    [`portkey_${prefix}p99_ms`]: round(portkey.p99),
    [`portkey_${prefix}added_p50_ms`]: round(portkey.addedP50),
    [`portkey_${prefix}added_p99_ms`]: round(portkey.addedP99),
    [`conveyor_to_portkey_${prefix}added_p50_ratio`]: ratio === null ? null : round(ratio),
  };
}

/** Conveyor's added time may be at most this many times Portkey's, percentile by percentile. */
export const PORTKEY_FACTOR = 2;

/**
 * The latency targets for one mode: Conveyor's added p50 and added p99 each ≤ 2 × Portkey's, both measured in the
 * same rounds against the same mock.
 */
export function latencyTargets(label: string, conveyor: AddedLatency, portkey: AddedLatency): TargetCheck[] {
  return (['p50', 'p99'] as const).map((q) => {
    const ours = q === 'p50' ? conveyor.addedP50 : conveyor.addedP99;
    const theirs = q === 'p50' ? portkey.addedP50 : portkey.addedP99;
    const ratio = theirs > 0 ? ours / theirs : null;
    return {
      name: `Conveyor added ${q} vs Portkey's, ${label}`,
      target: `≤ ${PORTKEY_FACTOR} × Portkey`,
      measured:
        ratio === null ? `${round(ours)} ms; Portkey added ${round(theirs)} ms (no ratio)` : `${round(ratio)} × (${round(ours)} vs ${round(theirs)} ms)`,
      met: ratio === null ? ours <= theirs : ratio <= PORTKEY_FACTOR,
    };
  });
}
