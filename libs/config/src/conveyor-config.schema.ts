import { hostname } from 'node:os';
import { z } from 'zod';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule } from './webhook-settings.util';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/**
 * Every setting Conveyor reads from the environment, with its default. The README's configuration table
 * documents each one; `loadConfig` validates them once at start-up.
 */
export const EnvSchema = z.object({
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  // Gateway (HTTP)
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8000, 0, 65535),
  STREAMING_PORT: int(8001, 0, 65535),
  // Streaming (issue 3): how workers coalesce deltas into chunk messages
  STREAM_COALESCE_MS: int(30, 0, 10_000),
  STREAM_COALESCE_CHARS: int(256, 1, 1_048_576),
  // Streaming: SSE comment heartbeat, and how many bytes a slow client may have queued before it is dropped
  STREAM_HEARTBEAT_MS: int(15_000, 100, 600_000),
  STREAM_CLIENT_BUFFER_BYTES: int(1_048_576, 1024, 256 * 1_048_576),
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 64 * 1_048_576),
  MAX_TOKENS_CAP: int(32_768, 1, 1_048_576),
  MAX_MESSAGES: int(1_024, 1, 100_000),
  DEFAULT_MODEL: z.string().min(1).default('simulated'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  AUTH_CACHE_TTL_MS: int(30_000, 0, 3_600_000),
  CANCEL_WAIT_MS: int(5_000, 0, 60_000),
  RATE_LIMIT_SUBMITS_PER_MINUTE: int(0, 0, 1_000_000),
  // Broker
  BROKER_URL: url(['amqp:', 'amqps:']).optional(),
  BROKER_HEARTBEAT_S: int(10, 0, 600),
  BROKER_PUBLISH_TIMEOUT_MS: int(5_000, 100, 120_000),
  BROKER_RECONNECT_MS: int(1_000, 50, 60_000),
  JOB_MAX_DELIVERIES: int(5, 1, 100),
  RETRY_DELAY_MS: int(5_000, 10, 3_600_000),
  RETRY_MAX_ATTEMPTS: int(5, 0, 100),
  // Database
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATABASE_MIGRATE: bool(true),
  EMBEDDED_DATA_DIR: z.string().default('.conveyor/pgdata'),
  // Inference
  WORKER_CONCURRENCY: int(4, 1, 1_024),
  WORKER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  WORKER_IDLE_POLL_MS: int(1_000, 10, 60_000),
  SIMULATED_TTFT_MS: int(500, 0, 600_000),
  SIMULATED_TOKENS_PER_SECOND: int(25, 0, 1_000_000),
  SIMULATED_MIN_TOKENS: int(16, 1, 100_000),
  SIMULATED_MAX_TOKENS: int(64, 1, 100_000),
  // Models and routing (issue 4)
  MODEL_CATALOG_FILE: z.string().optional(),
  ROUTING_MAX_RETRIES: int(2, 0, 10),
  ROUTING_BACKOFF_BASE_MS: int(500, 1, 60_000),
  ROUTING_BACKOFF_MAX_MS: int(10_000, 1, 300_000),
  ROUTING_COOLDOWN_FAILURES: int(3, 1, 100),
  ROUTING_COOLDOWN_MS: int(30_000, 0, 3_600_000),
  ROUTING_CALL_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  // The cap is the maximum a deadline may be set to: one hour, far past any sane generation.
  JOB_DEADLINE_MS: int(120_000, 100, 3_600_000),
  // Webhooks (issue 5)
  WEBHOOK_TIMEOUT_MS: int(15_000, 10, 120_000),
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    .refine((v) => parseRetrySchedule(v) !== null, 'must be comma-separated delays in ms, each 1 to 86400000 (or "none")')
    .transform((v) => parseRetrySchedule(v)!),
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  WEBHOOK_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Env = z.infer<typeof EnvSchema>;
