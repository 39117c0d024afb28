import { parseBrokerUrls } from './broker-urls.util';
import { readFileSync } from 'node:fs';
import { ConfigException } from './config.exception';
import { EnvSchema, type Env } from './conveyor-config.schema';
import { defaultLimitsOf, SEED_KEY_RATE_LIMIT, type TenantLimits } from './admission-limits';
import { parseAdminKeys, parseApiKeys, type ApiKeyGrant } from './api-keys.util';
import { parseAllowedHosts } from './webhook-settings.util';
import { parseTenantWeights } from './tenant-weights.util';
import { parseModelModes, type BatchingSettings, type BatchModeSetting } from './batching-settings.util';
import { isOrigin, parseOrigins } from './cors-origins.util';
import { loadModelCatalog } from './model-catalog.loader';
import { BUILTIN_CATALOG, catalogNames, modelKindOf, type ModelCatalog } from './model-catalog.schema';

/** The seeds' demo keys, known to the embedded default. */
export const DEMO_API_KEYS = 'tok-alice-secret:tenant-alice,tok-bob-secret:tenant-bob,test-key-123:tenant-test,demo-key-456:tenant-demo';

/** The demo admin key, known to the embedded default with the demo keys when no ADMIN_API_KEYS is set (docs/admin.md). */
export const DEMO_ADMIN_API_KEY = 'admin-demo-key-0123456789';

/** Typed, validated configuration, read once at start-up. */
export interface ConveyorConfig {
  logLevel: Env['LOG_LEVEL'];
  /** `auto`: JSON lines, or pretty text when stdout is a terminal. */
  logFormat: Env['LOG_FORMAT'];
  http: {
    host: string;
    /** The embedded default bound to loopback because the well-known demo keys are on and HOST was not set. */
    loopbackForDemoKeys: boolean;
    port: number;
    bodyLimitBytes: number;
    /** The request line and headers must arrive within this. */
    headersTimeoutMs: number;
    /** The whole request, headers and body, must arrive within this (a slow body is cut with a 408). */
    bodyTimeoutMs: number;
    /** A kept-alive connection with no request for this long is closed. */
    keepAliveTimeoutMs: number;
    /** A non-streaming route must have answered within this (408); a stream is exempt once it started. */
    requestTimeoutMs: number;
    /** Origins a browser may call the API from; empty: CORS off. */
    corsOrigins: string[];
    /** Strict-Transport-Security max-age; 0: the header is not sent. */
    hstsMaxAgeS: number;
  };
  streaming: {
    port: number;
    /** A worker publishes its buffered deltas as one `job.delta` after this long, or sooner at `coalesceChars`. */
    coalesceMs: number;
    coalesceChars: number;
    /** A worker gathers the chunks of all its jobs into one message per this many ms (0: each chunk on its own). */
    batchMs: number;
    /**
     * Persistence gathers chunks this long, then stores each job's consecutive chunks as one row: a coarser grain than
     * they are relayed. A stream that resumes mid-text may wait about this long for the text it missed.
     */
    storeMs: number;
    /** An SSE `:` comment this often keeps proxies (nginx: 60 s) from closing an idle stream. */
    heartbeatMs: number;
    /** A client whose socket has more than this queued is disconnected (it resumes) rather than buffered without bound. */
    clientBufferBytes: number;
    /** A queued job's stream sends its standing again this often while the job waits. */
    standingMs: number;
    /** Concurrent SSE streams one tenant may hold across every replica (job streams and `stream: true` answers). */
    perTenant: number;
    /** A stream's lease expires this long after its replica last renewed it (a dead replica's streams are freed). */
    leaseTtlMs: number;
  };
  /** The ops listener (`/metrics`, `/health`) on a port of its own; null: none (HTTP services serve `/metrics` on their port). */
  metrics: { port: number | null };
  limits: { maxTokensCap: number; maxMessages: number };
  defaultModel: string;
  /** How long `POST /v1/jobs/{id}/cancel` waits for the worker running the job to stop it. */
  cancelWaitMs: number;
  /**
   * The seeds' own routes: mounted at the root (`prefix` empty) or under a path such as `/compat`. `queryGraceMs`:
   * what seed 002's `POST /v1/query` waits beyond the band's latency target before it answers 504.
   */
  compat: { prefix: string; queryGraceMs: number };
  /**
   * Tenants' own settings (`/v1/settings`). `encryptionKey` seals the provider keys tenants store (AES-256-GCM;
   * never logged); without it no provider key can be stored. Every replica drops a tenant's cached settings when
   * a change is broadcast, and re-reads them at least every `refreshMs` (a broadcast it missed).
   */
  tenantSettings: { encryptionKey: string | undefined; refreshMs: number };
  /** What tenants may submit (docs/admission.md): the defaults every tenant has unless the admin API overrides them. */
  admission: {
    defaults: TenantLimits;
    /** The completion tokens a tokens-per-minute estimate assumes for a request without `max_tokens`. */
    defaultMaxTokens: number;
    /** How long a replica reuses a tenant's spend for budget checks. */
    budgetCacheMs: number;
    /** How often a replica reloads the tenants' overrides (a PUT on another replica takes effect within this). */
    refreshMs: number;
    /** Idempotency keys: kept this long; a request holds its key this long without renewing it (a replica that died). */
    idempotency: { ttlMs: number; leaseMs: number };
  };
  /** Tenant keys (hashed, with their tenants) and admin keys (hashed; ADMIN_API_KEYS), a separate scope. */
  auth: { keys: ApiKeyGrant[]; adminKeyHashes: string[]; cacheTtlMs: number; demoKeys: boolean };
  broker: {
    /** BROKER_URL as set: unset means the embedded in-process bus. */
    url?: string;
    /** Its addresses, in the order they are tried (one, or a cluster's nodes). */
    urls: string[];
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
  };
  worker: {
    concurrency: number;
    id: string;
    /**
     * Deliveries each job shard queue may push to this worker ahead of its acks. Running jobs count in the window,
     * so the default (concurrency + 1) keeps each shard's next job at hand when one ends: band order holds.
     */
    prefetch: number;
    /** A job held this long while every slot is busy makes the worker stop taking more (see JobScheduler). */
    holdMs: number;
    /** How long a worker remembers jobs that ended before they ran (the longest a job may stay queued). */
    tombstoneTtlMs: number;
    /** How often a worker broadcasts its heartbeat (slots, running jobs); the gateway forgets one silent for 3 beats. */
    heartbeatMs: number;
  };
  /**
   * The job queues: shards per band, the salt of the tenant hash that picks a tenant's shard, each listed tenant's
   * weight (its share of a band's worker time; 1 when not listed), and how often queued jobs past their deadline
   * are expired.
   */
  jobQueues: {
    shards: number;
    shardSalt: string;
    tenantWeights: ReadonlyMap<string, number>;
    expirySweepMs: number;
    /** A queued job this old whose publish was never confirmed is re-published (its gateway died in between). */
    orphanAfterMs: number;
    orphanSweepMs: number;
  };
  /** Which jobs the workers batch, and how each band batches them (see docs/batching.md). */
  batching: BatchingSettings;
  simulated: { ttftMs: number; tokensPerSecond: number; minTokens: number; maxTokens: number };
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
  webhooks: {
    /** One delivery attempt's whole budget: connect, send, response. */
    timeoutMs: number;
    /** Delays before each retry after the first attempt. */
    retryScheduleMs: number[];
    /** WEBHOOK_ALLOWED_HOSTS: destinations the SSRF guard lets through although private. */
    allowedHosts: string[];
    /** Encrypts signing secrets at rest when set. Never logged. */
    secretKey: string | undefined;
    /** Endpoints one tenant may register. */
    maxEndpointsPerTenant: number;
    /** Manual replays (`POST …/deliveries/{id}/retry`) one tenant may ask for per minute, across replicas. */
    replaysPerMinute: number;
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
    if (need === 'broker' && !e.BROKER_URL) problems.push('BROKER_URL: required for this service (amqp://<user>:<password>@<host>:5672)');
    if (need === 'database' && !e.DATABASE_URL) problems.push('DATABASE_URL: required for this service (postgres://<user>@<host>:5432/<db>)');
  }
  if (e.SIMULATED_MIN_TOKENS > e.SIMULATED_MAX_TOKENS) problems.push('SIMULATED_MIN_TOKENS: must not exceed SIMULATED_MAX_TOKENS');
  if (e.ROUTING_BACKOFF_BASE_MS > e.ROUTING_BACKOFF_MAX_MS) problems.push('ROUTING_BACKOFF_BASE_MS: must not exceed ROUTING_BACKOFF_MAX_MS');
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_BODY_TIMEOUT_MS) problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_BODY_TIMEOUT_MS');
  // A submit still waiting for its confirm is not an orphan: the sweeper must not take it for one.
  if (e.JOB_ORPHAN_AFTER_MS <= e.BROKER_PUBLISH_TIMEOUT_MS) problems.push('JOB_ORPHAN_AFTER_MS: must exceed BROKER_PUBLISH_TIMEOUT_MS');
  if (parseOrigins(e.CORS_ORIGINS).some((o) => !isOrigin(o))) {
    problems.push('CORS_ORIGINS: must be origins such as https://app.example.com, separated by commas');
  }
  if (present.RATE_LIMIT_SUBMITS_PER_MINUTE !== undefined) {
    problems.push('RATE_LIMIT_SUBMITS_PER_MINUTE: no longer read; set RATE_LIMIT_RPM (per tenant, shared by every gateway replica)');
  }
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
  let tenantWeights: ReadonlyMap<string, number> = new Map();
  try {
    tenantWeights = parseTenantWeights(e.TENANT_WEIGHTS);
  } catch (err) {
    problems.push(`TENANT_WEIGHTS: ${(err as Error).message}`);
  }
  let modelModes: ReadonlyMap<string, BatchModeSetting> = new Map();
  try {
    modelModes = parseModelModes(e.BATCH_MODEL_MODES);
  } catch (err) {
    problems.push(`BATCH_MODEL_MODES: ${(err as Error).message}`);
  }
  const batching: BatchingSettings = {
    scope: e.BATCHING,
    bands: {
      high: { windowMs: e.BATCH_HIGH_WINDOW_MS, maxSize: e.BATCH_HIGH_MAX_SIZE, mode: e.BATCH_HIGH_MODE },
      normal: { windowMs: e.BATCH_NORMAL_WINDOW_MS, maxSize: e.BATCH_NORMAL_MAX_SIZE, mode: e.BATCH_NORMAL_MODE },
      low: { windowMs: e.BATCH_LOW_WINDOW_MS, maxSize: e.BATCH_LOW_MAX_SIZE, mode: e.BATCH_LOW_MODE },
    },
    modelModes,
  };
  // A shard's window must hold a whole batch of one tenant beside the running jobs when every job is batched.
  const batchRoom = e.BATCHING === 'all' ? Math.max(e.BATCH_HIGH_MAX_SIZE, e.BATCH_NORMAL_MAX_SIZE, e.BATCH_LOW_MAX_SIZE) - 1 : 0;
  let adminKeyHashes: string[] = [];
  try {
    const fromFile = e.ADMIN_API_KEYS_FILE ? readFileSync(e.ADMIN_API_KEYS_FILE, 'utf8') : '';
    const demoAdmin = demoKeys && !e.ADMIN_API_KEYS && !e.ADMIN_API_KEYS_FILE ? DEMO_ADMIN_API_KEY : '';
    adminKeyHashes = parseAdminKeys([e.ADMIN_API_KEYS ?? '', fromFile, demoAdmin].join(','));
    if (keys.some((k) => adminKeyHashes.includes(k.keyHash))) problems.push('ADMIN_API_KEYS: a key cannot be both an admin key and a tenant key');
  } catch (err) {
    problems.push(`ADMIN_API_KEYS: ${(err as Error).message}`);
  }
  const defaults = defaultLimitsOf(e);
  // Seed 001's per-key limit for the demo keys, unless the per-key limit is configured.
  const keyLimitSet = [e.RATE_LIMIT_KEY_RPM, e.RATE_LIMIT_KEY_BURST, e.RATE_LIMIT_KEY_TPM].some((n) => n > 0);
  if (demoKeys && !keyLimitSet) defaults.rate_limits.key = { ...SEED_KEY_RATE_LIMIT };
  const catalog = loadModelCatalog(e.MODEL_CATALOG_FILE);
  if (!catalog.ok) problems.push(...catalog.problems.map((p) => `MODEL_CATALOG_FILE: ${p}`));
  const models = catalog.ok ? catalog.catalog : BUILTIN_CATALOG;
  if (catalog.ok && !catalogNames(models).includes(e.DEFAULT_MODEL)) {
    problems.push(`DEFAULT_MODEL: "${e.DEFAULT_MODEL}" is neither a model nor a group of the catalogue`);
  } else if (catalog.ok && modelKindOf(models, e.DEFAULT_MODEL) === 'embedding') {
    problems.push(`DEFAULT_MODEL: "${e.DEFAULT_MODEL}" is an embedding model; chat requests need a chat model or group`);
  }
  if (problems.length > 0) throw new ConfigException(problems);
  // The demo keys are public: a process that accepts them listens on loopback unless HOST says otherwise.
  const loopbackForDemoKeys = demoKeys && present.HOST === undefined;
  return {
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    http: {
      host: loopbackForDemoKeys ? '127.0.0.1' : e.HOST,
      loopbackForDemoKeys,
      port: e.PORT,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.HTTP_BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      corsOrigins: parseOrigins(e.CORS_ORIGINS),
      hstsMaxAgeS: e.HSTS_MAX_AGE_S,
    },
    streaming: {
      port: e.STREAMING_PORT,
      coalesceMs: e.STREAM_COALESCE_MS,
      coalesceChars: e.STREAM_COALESCE_CHARS,
      batchMs: e.STREAM_BATCH_MS,
      storeMs: e.STREAM_STORE_MS,
      heartbeatMs: e.STREAM_HEARTBEAT_MS,
      clientBufferBytes: e.STREAM_CLIENT_BUFFER_BYTES,
      standingMs: e.STREAM_STANDING_MS,
      perTenant: e.STREAMS_PER_TENANT,
      leaseTtlMs: e.STREAM_LEASE_TTL_MS,
    },
    metrics: { port: e.METRICS_PORT ?? null },
    limits: { maxTokensCap: e.MAX_TOKENS_CAP, maxMessages: e.MAX_MESSAGES },
    defaultModel: e.DEFAULT_MODEL,
    cancelWaitMs: e.CANCEL_WAIT_MS,
    compat: { prefix: e.COMPAT_PREFIX, queryGraceMs: e.QUERY_TIMEOUT_GRACE_MS },
    tenantSettings: { encryptionKey: e.SETTINGS_ENCRYPTION_KEY, refreshMs: e.SETTINGS_REFRESH_MS },
    admission: {
      defaults,
      defaultMaxTokens: e.RATE_LIMIT_DEFAULT_MAX_TOKENS,
      budgetCacheMs: e.BUDGET_CHECK_CACHE_MS,
      refreshMs: e.ADMISSION_REFRESH_MS,
      idempotency: { ttlMs: e.IDEMPOTENCY_TTL_MS, leaseMs: e.IDEMPOTENCY_LEASE_MS },
    },
    auth: { keys, adminKeyHashes, cacheTtlMs: e.AUTH_CACHE_TTL_MS, demoKeys },
    broker: {
      url: e.BROKER_URL,
      urls: e.BROKER_URL ? (parseBrokerUrls(e.BROKER_URL) ?? []) : [],
      heartbeatS: e.BROKER_HEARTBEAT_S,
      publishTimeoutMs: e.BROKER_PUBLISH_TIMEOUT_MS,
      reconnectMs: e.BROKER_RECONNECT_MS,
      maxDeliveries: e.JOB_MAX_DELIVERIES,
      retryDelayMs: e.RETRY_DELAY_MS,
      retryMaxAttempts: e.RETRY_MAX_ATTEMPTS,
    },
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, migrate: e.DATABASE_MIGRATE, embeddedDataDir: e.EMBEDDED_DATA_DIR },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      id: e.WORKER_ID,
      prefetch: e.WORKER_PREFETCH || e.WORKER_CONCURRENCY + 1 + batchRoom,
      holdMs: e.WORKER_HOLD_MS,
      tombstoneTtlMs: e.JOB_TOMBSTONE_TTL_MS,
      heartbeatMs: e.WORKER_HEARTBEAT_MS,
    },
    jobQueues: {
      shards: e.JOB_QUEUE_SHARDS,
      shardSalt: e.JOB_SHARD_SALT,
      tenantWeights,
      expirySweepMs: e.EXPIRY_SWEEP_MS,
      orphanAfterMs: e.JOB_ORPHAN_AFTER_MS,
      orphanSweepMs: e.JOB_ORPHAN_SWEEP_MS,
    },
    batching,
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
      maxEndpointsPerTenant: e.WEBHOOK_MAX_ENDPOINTS_PER_TENANT,
      replaysPerMinute: e.WEBHOOK_REPLAYS_PER_MINUTE,
    },
  };
}

function withoutInvalid(
  env: Record<string, string | undefined>,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>,
): Record<string, string | undefined> {
  const bad = new Set(issues.map((i) => String(i.path[0])));
  return Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k)));
}
