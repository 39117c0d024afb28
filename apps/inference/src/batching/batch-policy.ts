import type { BatchingSettings } from '@conveyor/config';
import type { BatchMode, JobRequested, PriorityBand } from '@conveyor/contracts';
import type { BatchWindow } from './batch-collector';

/** How a job is batched: with which others (`key`), for how long, and in which mode. */
export interface BatchPlan {
  key: string;
  band: PriorityBand;
  mode: BatchMode;
  window: BatchWindow;
}

/**
 * Which jobs are batched and how (docs/batching.md). A batch only ever holds one tenant's jobs of one model and
 * band — never two tenants' prompts in one context — so the key starts with those. A combined call also shares its
 * sampling temperature, so that is in the key too; a job with tools (or a tool conversation) cannot be answered
 * inside a JSON reply and runs on its own when its mode is `combined`. An embeddings job is never batched: it has no
 * text to combine, and its provider call takes many inputs already.
 */
export class BatchPolicy {
  constructor(private readonly settings: BatchingSettings) {}

  planFor(job: JobRequested): BatchPlan | null {
    if (job.params.embedding) return null;
    if (this.settings.scope === 'off' || (this.settings.scope === 'opt-in' && job.batchable !== true)) return null;
    const band = this.settings.bands[job.priority];
    const mode = this.settings.modelModes.get(job.model) ?? band.mode;
    if (mode === 'combined' && !combinable(job)) return null;
    const key = JSON.stringify([job.tenant_id, job.model, job.priority, mode, mode === 'combined' ? (job.params.temperature ?? null) : null]);
    return { key, band: job.priority, mode, window: { windowMs: band.windowMs, maxSize: band.maxSize } };
  }
}

function combinable(job: JobRequested): boolean {
  if (job.params.tools?.length || job.params.tool_choice !== undefined) return false;
  return job.messages.every((m) => m.role !== 'tool' && m.tool_calls === undefined && m.content != null);
}
