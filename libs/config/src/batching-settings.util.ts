import type { PriorityBand } from '@conveyor/contracts';

/** How a batch runs: one combined provider call split by index, or one call per job started together. */
export type BatchModeSetting = 'combined' | 'concurrent';

/**
 * Which jobs the inference workers batch: none; only jobs whose surface asked for it (seed 002's `/v1/query`,
 * whose contract is batching); or every job.
 */
export type BatchingScope = 'off' | 'opt-in' | 'all';

export interface BandBatching {
  /** A batch leaves when its oldest job has waited this long... */
  windowMs: number;
  /** ...or when it holds this many jobs. */
  maxSize: number;
  mode: BatchModeSetting;
}

export interface BatchingSettings {
  scope: BatchingScope;
  bands: Record<PriorityBand, BandBatching>;
  /** BATCH_MODEL_MODES: a model's mode, over its band's. */
  modelModes: ReadonlyMap<string, BatchModeSetting>;
}

/**
 * Parses BATCH_MODEL_MODES: `model=mode` pairs separated by commas (`simulated=combined,gpt-4o=concurrent`).
 * Throws a readable message for a malformed pair, so the config loader reports the setting by name.
 */
export function parseModelModes(text: string | undefined): ReadonlyMap<string, BatchModeSetting> {
  const modes = new Map<string, BatchModeSetting>();
  for (const pair of (text ?? '').split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const at = pair.lastIndexOf('=');
    const model = pair.slice(0, at).trim();
    const mode = pair.slice(at + 1).trim();
    if (at <= 0 || model === '') throw new Error(`"${pair}" is not model=mode`);
    if (mode !== 'combined' && mode !== 'concurrent') throw new Error(`"${pair}": the mode must be combined or concurrent`);
    if (modes.has(model)) throw new Error(`model "${model}" is listed twice`);
    modes.set(model, mode);
  }
  return modes;
}
