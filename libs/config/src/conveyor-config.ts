import { readFileSync } from 'node:fs';
import { ConfigException } from './config.exception';
import { EnvSchema, type Env } from './conveyor-config.schema';
import { parseApiKeys, type ApiKeyGrant } from './api-keys.util';
import { parseAllowedHosts } from './webhook-settings.util';
import { loadModelCatalog } from './model-catalog.loader';
import { BUILTIN_CATALOG, catalogNames, type ModelCatalog } from './model-catalog.schema';

/** The seeds' demo keys, known to the embedded default. */
export const DEMO_API_KEYS = 'tok-alice-secret:tenant-alice,tok-bob-secret:tenant-bob,test-key-123:tenant-test,demo-key-456:tenant-demo';

/** Typed, validated configuration, read once at start-up. */
export interface ConveyorConfig {
  logLevel: Env['LOG_LEVEL'];
  http: { host: string; port: number; bodyLimitBytes: number };
  streaming: {
    port: number;
    /** A worker publishes its buffered deltas as one `job.delta` after this long, or sooner at `coalesceChars`. */
    coalesceMs: number;
    coalesceChars: number;
    /** An SSE `:` comment this often keeps proxies (nginx: 60 s) from closing an idle stream. */
    heartbeatMs: number;
    /** A client whose socket has more than this queued is disconnected (it resumes) rather than buffered without bound. */
    clientBufferBytes: number;
  };
  limits: { maxTokensCap: number; maxMessages: number };
  defaultModel: string;
  /** How long `POST /v1/jobs/{id}/cancel` waits for the worker running the job to stop it. */
  cancelWaitMs: number;
  /** Submissions per tenant per minute on one gateway replica (0: no limit). */
  rateLimit: { submitsPerMinute: number };
  auth: { keys: ApiKeyGrant[]; cacheTtlMs: number; demoKeys: boolean };
  broker: {
    url?: string;
    heartbeatS: number;
    publishTimeoutMs: number;
    reconnectMs: number;
    maxDeliveries: number;
    retryDelayMs: number;
    retryMaxAttempts: number;
  };
  database: {
    url?: string;
    poolSize: number;
    migrate: boolean;
    embeddedDataDir: string;
    /** Set by the embedded launcher: the apps of the process share one pool. */
    shared: boolean;
  };
  worker: { concurrency: number; id: string; idlePollMs: number };
  simulated: { ttftMs: number; tokensPerSecond: number; minTokens: number; maxTokens: number };
  // --- Models and routing (issue 4) ---
  /** The validated catalogue: `MODEL_CATALOG_FILE`, or the built-in `simulated` model alone. */
  models: ModelCatalog;
  routing: {
    /** Retries of one deployment after its first call, for retryable errors only. */
    maxRetries: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** Consecutive failed calls after which a deployment is skipped for `cooldownMs`. */
    cooldownFailures: number;
    cooldownMs: number;
    /** How long one call may wait for its upstream to start answering before it counts as a (retryable) timeout. */
    callTimeoutMs: number;
    /** Wall-clock budget of one job delivery, retries and fallbacks included. */
    deadlineMs: number;
  };
  // --- end models and routing ---
  webhooks: {
    /** One delivery attempt's whole budget: connect, send, response. */
    timeoutMs: number;
    /** Delays before each retry after the first attempt. */
    retryScheduleMs: number[];
    /** WEBHOOK_ALLOWED_HOSTS: destinations the SSRF guard lets through although private. */
    allowedHosts: string[];
    /** Encrypts signing secrets at rest when set. Never logged. */
    secretKey: string | undefined;
  };
}

export interface LoadConfigOptions {
  /** Embedded mode: BROKER_URL and DATABASE_URL may be absent, and the demo keys are the default. */
  embedded?: boolean;
  /** Which URLs this process cannot run without. */
  require?: Array<'broker' | 'database'>;
}

/** Validates the environment into a typed config, or throws one readable message listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): ConveyorConfig {
  // An empty variable (`PORT=`) means unset, so it takes the default rather than becoming 0.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = EnvSchema.safeParse(present);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // Keep checking with defaults in place of the broken values, so one start-up lists every problem.
  const e = parsed.success ? parsed.data : EnvSchema.parse(withoutInvalid(present, parsed.error.issues));
  for (const need of options.require ?? []) {
    if (need === 'broker' && !e.BROKER_URL) problems.push('BROKER_URL: required for this service (amqp://user:pass@host:5672)');
    if (need === 'database' && !e.DATABASE_URL) problems.push('DATABASE_URL: required for this service (postgres://user@host:5432/db)');
  }
  if (e.SIMULATED_MIN_TOKENS > e.SIMULATED_MAX_TOKENS) problems.push('SIMULATED_MIN_TOKENS: must not exceed SIMULATED_MAX_TOKENS');
  if (e.ROUTING_BACKOFF_BASE_MS > e.ROUTING_BACKOFF_MAX_MS) problems.push('ROUTING_BACKOFF_BASE_MS: must not exceed ROUTING_BACKOFF_MAX_MS');
  let keys: ApiKeyGrant[] = [];
  let demoKeys = false;
  try {
    const fromFile = e.API_KEYS_FILE ? readFileSync(e.API_KEYS_FILE, 'utf8') : '';
    demoKeys = options.embedded === true && !e.API_KEYS && !e.API_KEYS_FILE;
    const raw = [demoKeys ? DEMO_API_KEYS : (e.API_KEYS ?? ''), fromFile].join(',');
    keys = parseApiKeys(raw);
  } catch (err) {
    problems.push(`API_KEYS: ${(err as Error).message}`);
  }
  const catalog = loadModelCatalog(e.MODEL_CATALOG_FILE);
  if (!catalog.ok) problems.push(...catalog.problems.map((p) => `MODEL_CATALOG_FILE: ${p}`));
  const models = catalog.ok ? catalog.catalog : BUILTIN_CATALOG;
  if (catalog.ok && !catalogNames(models).includes(e.DEFAULT_MODEL)) {
    problems.push(`DEFAULT_MODEL: "${e.DEFAULT_MODEL}" is neither a model nor a group of the catalogue`);
  }
  if (problems.length > 0) throw new ConfigException(problems);
  return {
    logLevel: e.LOG_LEVEL,
    http: { host: e.HOST, port: e.PORT, bodyLimitBytes: e.BODY_LIMIT_BYTES },
    streaming: {
      port: e.STREAMING_PORT,
      coalesceMs: e.STREAM_COALESCE_MS,
      coalesceChars: e.STREAM_COALESCE_CHARS,
      heartbeatMs: e.STREAM_HEARTBEAT_MS,
      clientBufferBytes: e.STREAM_CLIENT_BUFFER_BYTES,
    },
    limits: { maxTokensCap: e.MAX_TOKENS_CAP, maxMessages: e.MAX_MESSAGES },
    defaultModel: e.DEFAULT_MODEL,
    cancelWaitMs: e.CANCEL_WAIT_MS,
    rateLimit: { submitsPerMinute: e.RATE_LIMIT_SUBMITS_PER_MINUTE },
    auth: { keys, cacheTtlMs: e.AUTH_CACHE_TTL_MS, demoKeys },
    broker: {
      url: e.BROKER_URL,
      heartbeatS: e.BROKER_HEARTBEAT_S,
      publishTimeoutMs: e.BROKER_PUBLISH_TIMEOUT_MS,
      reconnectMs: e.BROKER_RECONNECT_MS,
      maxDeliveries: e.JOB_MAX_DELIVERIES,
      retryDelayMs: e.RETRY_DELAY_MS,
      retryMaxAttempts: e.RETRY_MAX_ATTEMPTS,
    },
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, migrate: e.DATABASE_MIGRATE, embeddedDataDir: e.EMBEDDED_DATA_DIR, shared: false },
    worker: { concurrency: e.WORKER_CONCURRENCY, id: e.WORKER_ID, idlePollMs: e.WORKER_IDLE_POLL_MS },
    simulated: {
      ttftMs: e.SIMULATED_TTFT_MS,
      tokensPerSecond: e.SIMULATED_TOKENS_PER_SECOND,
      minTokens: e.SIMULATED_MIN_TOKENS,
      maxTokens: e.SIMULATED_MAX_TOKENS,
    },
    models,
    routing: {
      maxRetries: e.ROUTING_MAX_RETRIES,
      backoffBaseMs: e.ROUTING_BACKOFF_BASE_MS,
      backoffMaxMs: e.ROUTING_BACKOFF_MAX_MS,
      cooldownFailures: e.ROUTING_COOLDOWN_FAILURES,
      cooldownMs: e.ROUTING_COOLDOWN_MS,
      callTimeoutMs: e.ROUTING_CALL_TIMEOUT_MS,
      deadlineMs: e.JOB_DEADLINE_MS,
    },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS,
      allowedHosts: parseAllowedHosts(e.WEBHOOK_ALLOWED_HOSTS),
      secretKey: e.WEBHOOK_SECRET_KEY,
    },
  };
}

function withoutInvalid(env: Record<string, string | undefined>, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>): Record<string, string | undefined> {
  const bad = new Set(issues.map((i) => String(i.path[0])));
  return Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k)));
}
