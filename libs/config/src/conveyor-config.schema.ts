import { hostname } from 'node:os';
import { z } from 'zod';
import { parseBrokerUrls } from './broker-urls.util';
import { parseBands } from './admission-limits';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule } from './webhook-settings.util';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const usd = z.coerce.number().min(0).max(1_000_000_000).default(0);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

/**
 * Every setting Conveyor reads from the environment, with its default. docs/configuration.md's table
 * documents each one; `loadConfig` validates them once at start-up.
 */
export const EnvSchema = z.object({
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  // auto: JSON lines unless stdout is a terminal, where they are pretty-printed
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // Gateway (HTTP)
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8000, 0, 65535),
  STREAMING_PORT: int(8001, 0, 65535),
  // Ops listener (/metrics, /health): off unless set; the services without an HTTP port need it to be scraped
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // Streaming: how workers coalesce deltas into chunk messages
  STREAM_COALESCE_MS: int(30, 0, 10_000),
  STREAM_COALESCE_CHARS: int(256, 1, 1_048_576),
  STREAM_BATCH_MS: int(5, 0, 1_000),
  // Streaming: how long persistence gathers chunks before storing each job's consecutive ones as one row
  STREAM_STORE_MS: int(200, 0, 10_000),
  // Streaming: SSE comment heartbeat, and how many bytes a slow client may have queued before it is dropped
  STREAM_HEARTBEAT_MS: int(15_000, 100, 600_000),
  STREAM_CLIENT_BUFFER_BYTES: int(1_048_576, 1024, 256 * 1_048_576),
  // Streaming: how often a queued job's stream sends its standing (position, estimated start) again
  STREAM_STANDING_MS: int(5_000, 100, 600_000),
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 64 * 1_048_576),
  // HTTP time limits: the request head, the whole request's arrival, an idle kept-alive connection, and the answer
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100, 600_000),
  HTTP_BODY_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 100, 600_000),
  HTTP_REQUEST_TIMEOUT_MS: int(300_000, 100, 3_600_000),
  // Browsers: origins allowed to call the API (off when unset), and HSTS (off at 0: TLS usually ends in front)
  CORS_ORIGINS: z.string().optional(),
  HSTS_MAX_AGE_S: int(0, 0, 63_072_000),
  // Per-tenant caps, shared by every replica through PostgreSQL
  STREAMS_PER_TENANT: int(50, 1, 100_000),
  STREAM_LEASE_TTL_MS: int(30_000, 1_000, 600_000),
  MAX_TOKENS_CAP: int(32_768, 1, 1_048_576),
  MAX_MESSAGES: int(1_024, 1, 100_000),
  DEFAULT_MODEL: z.string().min(1).default('simulated'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  AUTH_CACHE_TTL_MS: int(30_000, 0, 3_600_000),
  CANCEL_WAIT_MS: int(5_000, 0, 60_000),
  // Where the seeds' own routes (/generate, /complete, /chat…) are mounted: empty is the root, as the seeds serve them.
  COMPAT_PREFIX: z
    .string()
    .trim()
    .regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, 'must be a path such as /compat (letters, digits, . _ ~ -), or empty for the root')
    .transform((v) => v.replace(/\/$/, ''))
    .default(''),
  // Admission (docs/admission.md): rate limits per tenant and per key (0: none), budgets, bands, admin keys, idempotency
  RATE_LIMIT_RPM: int(0, 0, 100_000_000),
  RATE_LIMIT_BURST: int(0, 0, 100_000_000),
  RATE_LIMIT_TPM: int(0, 0, 2_000_000_000),
  RATE_LIMIT_KEY_RPM: int(0, 0, 100_000_000),
  RATE_LIMIT_KEY_BURST: int(0, 0, 100_000_000),
  RATE_LIMIT_KEY_TPM: int(0, 0, 2_000_000_000),
  RATE_LIMIT_DEFAULT_MAX_TOKENS: int(1_024, 1, 1_048_576),
  BUDGET_DAILY_TOKENS: int(0, 0, Number.MAX_SAFE_INTEGER),
  BUDGET_MONTHLY_TOKENS: int(0, 0, Number.MAX_SAFE_INTEGER),
  BUDGET_DAILY_USD: usd,
  BUDGET_MONTHLY_USD: usd,
  BUDGET_CHECK_CACHE_MS: int(1_000, 0, 600_000),
  PRIORITY_BANDS: z
    .string()
    .default('high,normal,low')
    .refine((v) => parseBands(v) !== null, 'must list bands from high, normal, low (comma-separated)')
    .transform((v) => parseBands(v)!),
  ADMIN_API_KEYS: z.string().optional(),
  ADMIN_API_KEYS_FILE: z.string().optional(),
  ADMISSION_REFRESH_MS: int(5_000, 50, 3_600_000),
  IDEMPOTENCY_TTL_MS: int(86_400_000, 60_000, 30 * 86_400_000),
  IDEMPOTENCY_LEASE_MS: int(30_000, 1_000, 3_600_000),
  // Broker
  // One address, or the nodes of a cluster separated by commas (tried in order; see broker-urls.util.ts).
  BROKER_URL: z
    .string()
    .trim()
    .refine((v) => parseBrokerUrls(v) !== null, 'must be amqp:// or amqps:// URLs, one or several separated by commas')
    .optional(),
  BROKER_HEARTBEAT_S: int(10, 0, 600),
  BROKER_PUBLISH_TIMEOUT_MS: int(5_000, 100, 120_000),
  BROKER_RECONNECT_MS: int(1_000, 50, 60_000),
  JOB_MAX_DELIVERIES: int(5, 1, 100),
  // The job intake: shard queues per band (every service must agree), and the tenant hash's salt
  JOB_QUEUE_SHARDS: int(4, 1, 64),
  JOB_SHARD_SALT: z.string().default(''),
  // tenant:weight pairs: a tenant's share of its band against the other shards (1 when not listed)
  TENANT_WEIGHTS: z.string().optional(),
  // How often persistence looks for queued jobs whose expires_at passed
  EXPIRY_SWEEP_MS: int(1_000, 100, 3_600_000),
  JOB_ORPHAN_AFTER_MS: int(60_000, 1_000, 86_400_000),
  JOB_ORPHAN_SWEEP_MS: int(10_000, 100, 3_600_000),
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
  // 0: WORKER_CONCURRENCY + 1 (+ the largest batch size with BATCHING=all)
  WORKER_PREFETCH: int(0, 0, 10_000),
  WORKER_HOLD_MS: int(250, 1, 600_000),
  // How often each worker broadcasts its slots and running jobs (the admin API's workers list)
  WORKER_HEARTBEAT_MS: int(2_000, 100, 60_000),
  JOB_TOMBSTONE_TTL_MS: int(86_400_000, 60_000, 30 * 86_400_000),
  // Batching (docs/batching.md): which jobs, each band's window, size and mode, and per-model modes
  BATCHING: z.enum(['off', 'opt-in', 'all']).default('opt-in'),
  BATCH_HIGH_WINDOW_MS: int(200, 1, 60_000),
  BATCH_HIGH_MAX_SIZE: int(6, 1, 64),
  BATCH_HIGH_MODE: z.enum(['combined', 'concurrent']).default('combined'),
  BATCH_NORMAL_WINDOW_MS: int(1_000, 1, 60_000),
  BATCH_NORMAL_MAX_SIZE: int(4, 1, 64),
  BATCH_NORMAL_MODE: z.enum(['combined', 'concurrent']).default('combined'),
  BATCH_LOW_WINDOW_MS: int(4_000, 1, 60_000),
  BATCH_LOW_MAX_SIZE: int(4, 1, 64),
  BATCH_LOW_MODE: z.enum(['combined', 'concurrent']).default('combined'),
  BATCH_MODEL_MODES: z.string().optional(),
  SIMULATED_TTFT_MS: int(500, 0, 600_000),
  SIMULATED_TOKENS_PER_SECOND: int(25, 0, 1_000_000),
  SIMULATED_MIN_TOKENS: int(16, 1, 100_000),
  SIMULATED_MAX_TOKENS: int(64, 1, 100_000),
  // Models and routing
  MODEL_CATALOG_FILE: z.string().optional(),
  ROUTING_MAX_RETRIES: int(2, 0, 10),
  ROUTING_BACKOFF_BASE_MS: int(500, 1, 60_000),
  ROUTING_BACKOFF_MAX_MS: int(10_000, 1, 300_000),
  ROUTING_COOLDOWN_FAILURES: int(3, 1, 100),
  ROUTING_COOLDOWN_MS: int(30_000, 0, 3_600_000),
  ROUTING_CALL_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  // The cap is the maximum a deadline may be set to: one hour, far past any sane generation.
  JOB_DEADLINE_MS: int(120_000, 100, 3_600_000),
  // Webhooks
  WEBHOOK_TIMEOUT_MS: int(15_000, 10, 120_000),
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    .refine((v) => parseRetrySchedule(v) !== null, 'must be comma-separated delays in ms, each 1 to 86400000 (or "none")')
    .transform((v) => parseRetrySchedule(v)!),
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  WEBHOOK_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  WEBHOOK_MAX_ENDPOINTS_PER_TENANT: int(10, 1, 10_000),
  WEBHOOK_REPLAYS_PER_MINUTE: int(10, 1, 100_000),
  // Tenant settings (docs/compatibility.md, seed 002): the key that encrypts tenants' provider keys, the reload backstop
  SETTINGS_ENCRYPTION_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SETTINGS_REFRESH_MS: int(60_000, 1_000, 86_400_000),
  QUERY_TIMEOUT_GRACE_MS: int(30_000, 0, 3_600_000),
});

export type Env = z.infer<typeof EnvSchema>;
