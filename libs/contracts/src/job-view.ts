import type { BatchMode } from './job-batch.schema';
import type { FinishReason, Usage } from './completion-params.schema';
import type { EmbeddingListView } from './embedding-view.schema';
import type { JobStatus } from './job-status';
import type { ProviderAttempt } from './provider-attempt.schema';
import type { PriorityBand } from './priority.util';
import type { ToolCall } from './tool.schema';

/** What `GET /v1/jobs/{id}` answers. */
export interface JobView {
  object: 'job';
  job_id: string;
  status: JobStatus;
  model: string;
  priority: PriorityBand;
  created_at: string;
  updated_at: string;
  timestamps: {
    queued: string;
    started: string | null;
    completed: string | null;
    failed: string | null;
    cancelled: string | null;
    expired: string | null;
  };
  /** The caller's deadline, if it gave one: still queued past it, the job ends `expired`. */
  expires_at: string | null;
  /** Where a queued job stands in its band (null once it runs): see docs/api.md. */
  queue: QueueStandingView | null;
  attempts: number;
  /** Every provider call of the delivery that finished the job: retries, fallbacks, the one that answered. */
  provider_attempts: ProviderAttempt[];
  /** A job cancelled mid-generation: the text it had produced and the usage spent (estimated). */
  partial_result: { content: string; usage: Usage } | null;
  /** OpenAI's `chat.completion`, or for an embeddings job OpenAI's embedding list (base64). */
  result: ChatCompletionView | EmbeddingListView | null;
  error: { code: string; message: string } | null;
  metrics: {
    queue_wait_ms: number | null;
    processing_ms: number | null;
    tokens_per_second: number | null;
  };
  metadata: Record<string, string>;
  /** The batch the worker ran the job in, shared by its jobs; null when the job ran on its own. */
  batch_id: string | null;
  /** How that batch ran: see docs/batching.md. Null when the job ran on its own. */
  batch: { mode: BatchMode; size: number; index: number; fallback: boolean } | null;
  links: { self: string; status: string; cancel: string };
}

/**
 * A queued job's standing, an estimate under the intake's rules (see docs/api.md): its position within its band
 * (1: the next to start), the queued jobs of higher bands (which all start first), and when it should start at the
 * rate jobs have been starting lately.
 */
export interface QueueStandingView {
  position: number;
  ahead_in_higher_bands: number;
  /** Null while no job has started lately (no rate to go by). */
  estimated_start_at: string | null;
}

/** The finished job's result, as OpenAI's `chat.completion` object. */
export interface ChatCompletionView {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  /** `content` is null when the model only called tools, as OpenAI answers. */
  choices: Array<{ index: number; message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }; finish_reason: FinishReason }>;
  usage: Usage;
}

/** One entry of `GET /v1/models`: a model or a group a request may name. */
export interface ModelView {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'conveyor';
}

export interface ModelListView {
  object: 'list';
  data: ModelView[];
}

/** What `POST /v1/chat/completions` answers with 202. */
export interface JobAcceptedView {
  object: 'job';
  job_id: string;
  status: 'queued';
  model: string;
  priority: PriorityBand;
  created_at: string;
  links: { self: string; status: string; cancel: string };
}

export interface JobStatusView {
  job_id: string;
  status: JobStatus;
  updated_at: string;
  /** A queued job's standing in its band; absent otherwise. */
  queue?: QueueStandingView;
}

export interface JobListView {
  object: 'list';
  data: JobView[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}
