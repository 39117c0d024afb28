import { z } from 'zod';
import { QUERY_PRIORITIES } from './query-priority.util';

/** Seed 002's GenerationResponse, plus the job's id and priority. `latency_ms`: from the request's arrival to the job's end. */
export const GenerationResponseSchema = z.object({
  request_id: z.string(),
  username: z.string().nullable(),
  text: z.string(),
  tokens_used: z.number().int(),
  latency_ms: z.number(),
  created_at: z.string(),
  completed_at: z.string(),
  job_id: z.string(),
  priority: z.enum(QUERY_PRIORITIES),
  /** The batch the job ran in (shared by the requests answered together), or null for a job that ran alone. */
  batch_id: z.string().nullable(),
});
export type GenerationResponse = z.infer<typeof GenerationResponseSchema>;

/** One request/response pair of `GET /v1/chat`: the seed's chat entry, with the job's id and status. */
export const ChatEntrySchema = z.object({
  timestamp: z.string(),
  batch_id: z.string().nullable(),
  job_id: z.string(),
  status: z.string(),
  request: z.object({
    request_id: z.string(),
    username: z.string().nullable(),
    prompt: z.string(),
    priority: z.number().int(),
    created_at: z.string(),
  }),
  /** Null until the job completes (and for a job that ended otherwise). */
  response: GenerationResponseSchema.nullable(),
});
export type ChatEntry = z.infer<typeof ChatEntrySchema>;

/** `GET /v1/chat`: the seed's `{chats, count}`, one page of it, newest first, with a cursor for the next. */
export const ChatListSchema = z.object({
  chats: z.array(ChatEntrySchema),
  count: z.number().int(),
  has_more: z.boolean(),
  last_id: z.string().nullable(),
});
export type ChatList = z.infer<typeof ChatListSchema>;

const BandSettingsView = z.object({ tokens: z.number().int(), latency_ms: z.number().int() });

/** `GET`/`PUT /v1/settings`: the seed's settings (its `api_key` masked), plus every key the tenant stored, masked. */
export const SettingsViewSchema = z.object({
  api_key: z.string().nullable(),
  high_priority: BandSettingsView,
  medium_priority: BandSettingsView,
  low_priority: BandSettingsView,
  provider_keys: z.array(z.object({ deployment: z.string(), api_key: z.string(), updated_at: z.string() })),
  default_deployment: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

const PriorityAnalytics = z.object({
  priority: z.enum(QUERY_PRIORITIES),
  requests: z.number().int(),
  /** Mean time from a job's creation to its start, over the band's jobs that started; null when none did. */
  mean_wait_ms: z.number().nullable(),
  /** Distinct batches the priority's requests ran in, and the mean of this tenant's requests per batch (null: none). */
  batches: z.number().int(),
  mean_batch_size: z.number().nullable(),
});

/** `GET /v1/analytics`: the seed's fields, the batches, and per priority the requests, their mean wait and their batches. */
export const AnalyticsViewSchema = z.object({
  total_requests: z.number().int(),
  high_priority: z.number().int(),
  medium_priority: z.number().int(),
  low_priority: z.number().int(),
  request_count_over_time: z.array(z.object({ date: z.string(), count: z.number().int() })),
  priority_distribution: z.array(z.object({ name: z.enum(['High', 'Medium', 'Low']), value: z.number().int() })),
  total_batches: z.number().int(),
  per_priority: z.array(PriorityAnalytics),
});
export type AnalyticsView = z.infer<typeof AnalyticsViewSchema>;
