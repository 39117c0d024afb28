/** One thing measured once per round: answers its figure in ms, or a fault (then the round's figure is dropped). */
export interface Probe {
  name: string;
  measure(): Promise<{ ms: number | null; fault: string | null }>;
}

export interface ProbeSamples {
  samples: number[];
  faults: string[];
}

export interface RoundsOptions {
  rounds: number;
  /** Rounds run first and thrown away (JIT, connection set-up, caches). */
  warmup: number;
  /** Called after every `every` measured rounds, with what has been gathered so far. */
  onProgress?: (done: number, results: Map<string, ProbeSamples>) => void;
  every?: number;
}

/**
 * Runs the probes one after another, one request in flight at a time, round after round, rotating which goes
 * first each round: a slow spell on the shared machine lands on every target alike instead of on whichever was
 * being measured then, and no target always follows the same one.
 */
export async function interleavedRounds(probes: readonly Probe[], options: RoundsOptions): Promise<Map<string, ProbeSamples>> {
  const results = new Map<string, ProbeSamples>(probes.map((p) => [p.name, { samples: [], faults: [] }]));
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const measured = round >= options.warmup;
    for (let i = 0; i < probes.length; i++) {
      const probe = probes[(round + i) % probes.length]!;
      const { ms, fault } = await probe.measure();
      if (!measured) continue;
      const into = results.get(probe.name)!;
      if (fault !== null || ms === null) into.faults.push(fault ?? 'no figure');
      else into.samples.push(ms);
    }
    const done = round + 1 - options.warmup;
    if (measured && options.onProgress && done % (options.every ?? 100) === 0) options.onProgress(done, results);
  }
  return results;
}
