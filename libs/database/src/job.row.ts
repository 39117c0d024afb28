import type {
  BatchMode,
  ChatMessage,
  CompletionParams,
  JobRecord,
  JobResult,
  JobStatus,
  PartialResult,
  PriorityBand,
  ProviderAttempt,
} from '@conveyor/contracts';

/** A `jobs` row as the driver hands it over (jsonb parsed, timestamptz as Date). */
export interface JobRow {
  id: string;
  tenant_id: string;
  status: JobStatus;
  model: string;
  priority: PriorityBand;
  messages: ChatMessage[];
  params: CompletionParams;
  metadata: Record<string, string>;
  trace_id: string | null;
  callback_url: string | null;
  callback_secret: string | null;
  result: JobResult | null;
  error: { code: string; message: string } | null;
  attempts: number;
  attempts_log: ProviderAttempt[] | null;
  partial_result: PartialResult | null;
  worker_id: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  failed_at: Date | null;
  cancelled_at: Date | null;
  expires_at: Date | null;
  expired_at: Date | null;
  batch_id: string | null;
  batch_mode: BatchMode | null;
  batch_size: number | null;
  batch_index: number | null;
  batch_fallback: boolean | null;
}

export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status,
    model: row.model,
    priority: row.priority,
    messages: row.messages,
    params: row.params,
    metadata: row.metadata,
    traceId: row.trace_id,
    callbackUrl: row.callback_url,
    callbackSecret: row.callback_secret,
    result: row.result,
    error: row.error,
    attempts: row.attempts,
    attemptsLog: row.attempts_log ?? [],
    partialResult: row.partial_result,
    workerId: row.worker_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    failedAt: row.failed_at,
    cancelledAt: row.cancelled_at,
    expiresAt: row.expires_at,
    expiredAt: row.expired_at,
    batch:
      row.batch_id && row.batch_mode
        ? { id: row.batch_id, mode: row.batch_mode, size: row.batch_size ?? 1, index: row.batch_index ?? 0, fallback: row.batch_fallback ?? false }
        : null,
  };
}
