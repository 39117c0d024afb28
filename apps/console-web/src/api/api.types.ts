/** The gateway's answers the console reads (docs/api.md), as far as it reads them. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired';
export const JOB_STATUSES: JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'];
export type Band = 'high' | 'normal' | 'low';
export const BANDS: Band[] = ['high', 'normal', 'low'];

export interface ChatMessage {
  role: string;
  content: string | null | { type: string; text?: string }[];
}

export interface ProviderAttempt {
  deployment: string;
  provider: string;
  upstream_model: string;
  outcome: 'ok' | 'error' | 'cancelled';
  latency_ms: number;
  error?: { message: string; status?: number };
}

export interface Job {
  job_id: string;
  status: JobStatus;
  model: string;
  priority: Band;
  created_at: string;
  updated_at: string;
  messages?: ChatMessage[];
  queue: { position: number; ahead_in_higher_bands: number; estimated_start_at: string | null } | null;
  attempts: number;
  provider_attempts: ProviderAttempt[];
  result: {
    choices: { message: ChatMessage; finish_reason: string }[];
    usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  } | null;
  partial_result?: { content: string } | null;
  error: { code: string; message: string } | null;
  metrics: { queue_wait_ms: number | null; processing_ms: number | null; tokens_per_second: number | null } | null;
}

export interface List<T> {
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more?: boolean;
}
