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
export function latencyMetrics(
  prefix: string,
  direct: ProbeSamples,
  conveyor: AddedLatency,
  portkey: AddedLatency,
): Record<string, number | null> {
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

/** Issue 6's two latency targets for one mode: added p50 ≤ 5 ms, and ≤ 1.5 × Portkey's added p50. */
export function latencyTargets(label: string, conveyor: AddedLatency, portkey: AddedLatency): TargetCheck[] {
  const ratio = addedRatio(conveyor, portkey);
  return [
    {
      name: `Conveyor added p50, ${label}`,
      target: '≤ 5 ms',
      measured: `${round(conveyor.addedP50)} ms`,
      met: conveyor.addedP50 <= 5,
    },
    {
      name: `Conveyor added p50 vs Portkey's, ${label}`,
      target: '≤ 1.5 × Portkey',
      measured: ratio === null ? `Portkey added ${round(portkey.addedP50)} ms (no ratio)` : `${round(ratio)} × (${round(conveyor.addedP50)} vs ${round(portkey.addedP50)} ms)`,
      met: ratio === null ? conveyor.addedP50 <= portkey.addedP50 : ratio <= 1.5,
    },
  ];
}
