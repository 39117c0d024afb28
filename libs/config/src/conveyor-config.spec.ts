import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from './api-keys.util';
import { ConfigException } from './config.exception';
import { DEMO_ADMIN_API_KEY, loadConfig, type LoadConfigOptions } from './conveyor-config';

/** Runs loadConfig and returns the ConfigException it throws (fails the test if it returns instead). */
function configError(env: NodeJS.ProcessEnv, options?: LoadConfigOptions): ConfigException {
  try {
    loadConfig(env, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigException);
    return err as ConfigException;
  }
  throw new Error('expected loadConfig to throw a ConfigException');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('fills every setting from an empty environment', () => {
      const config = loadConfig({});
      expect(config).toEqual(
        expect.objectContaining({
          logLevel: 'log',
          logFormat: 'auto',
          http: {
            host: '0.0.0.0',
            loopbackForDemoKeys: false,
            port: 8000,
            bodyLimitBytes: 1_048_576,
            headersTimeoutMs: 10_000,
            bodyTimeoutMs: 30_000,
            keepAliveTimeoutMs: 5_000,
            requestTimeoutMs: 300_000,
            corsOrigins: [],
            hstsMaxAgeS: 0,
          },
          streaming: {
            port: 8001,
            coalesceMs: 30,
            coalesceChars: 256,
            batchMs: 5,
            storeMs: 200,
            heartbeatMs: 15_000,
            clientBufferBytes: 1_048_576,
            perTenant: 50,
            leaseTtlMs: 30_000,
            standingMs: 5_000,
          },
          metrics: { port: null },
          limits: { maxTokensCap: 32_768, maxMessages: 1_024 },
          defaultModel: 'simulated',
          auth: expect.objectContaining({ keys: [], cacheTtlMs: 30_000 }),
          broker: {
            url: undefined,
            urls: [],
            heartbeatS: 10,
            publishTimeoutMs: 5_000,
            reconnectMs: 1_000,
            maxDeliveries: 5,
            retryDelayMs: 5_000,
            retryMaxAttempts: 5,
          },
          database: { url: undefined, poolSize: 10, migrate: true, embeddedDataDir: '.conveyor/pgdata' },
          simulated: { ttftMs: 500, tokensPerSecond: 25, minTokens: 16, maxTokens: 64 },
        }),
      );
      expect(config.worker).toEqual({
        concurrency: 4,
        id: expect.stringMatching(/.+-\d+$/),
        prefetch: 5,
        holdMs: 250,
        tombstoneTtlMs: 86_400_000,
        heartbeatMs: 2_000,
      });
      expect(config.jobQueues).toEqual({
        shards: 4,
        shardSalt: '',
        tenantWeights: new Map(),
        expirySweepMs: 1_000,
        orphanAfterMs: 60_000,
        orphanSweepMs: 10_000,
      });
    });

    it("batches only the jobs that ask for it, in seed 002's windows, combined, unless configured otherwise", () => {
      const config = loadConfig({});
      expect(config.batching).toEqual({
        scope: 'opt-in',
        bands: {
          high: { windowMs: 200, maxSize: 6, mode: 'combined' },
          normal: { windowMs: 1_000, maxSize: 4, mode: 'combined' },
          low: { windowMs: 4_000, maxSize: 4, mode: 'combined' },
        },
        modelModes: new Map(),
      });
      const all = loadConfig({ BATCHING: 'all', BATCH_LOW_MODE: 'concurrent', BATCH_MODEL_MODES: 'gpt-4o=concurrent, simulated=combined' });
      expect(all.batching.bands.low.mode).toBe('concurrent');
      expect(all.batching.modelModes).toEqual(
        new Map([
          ['gpt-4o', 'concurrent'],
          ['simulated', 'combined'],
        ]),
      );
      // Every job batched: a shard's window holds a whole batch beside the running jobs.
      expect(all.worker.prefetch).toBe(4 + 1 + 5);
    });

    it('reads numbers, booleans and URLs from their string forms', () => {
      const config = loadConfig({
        PORT: '9000',
        METRICS_PORT: '9464',
        WORKER_CONCURRENCY: '16',
        DATABASE_MIGRATE: 'no',
        BROKER_URL: 'amqps://user:pass@broker:5671',
        DATABASE_URL: 'postgresql://conveyor@db:5432/conveyor',
      });
      expect(config.http.port).toBe(9000);
      expect(config.metrics.port).toBe(9464);
      expect(config.worker.concurrency).toBe(16);
      expect(config.database.migrate).toBe(false);
      expect(config.broker.url).toBe('amqps://user:pass@broker:5671');
      expect(config.database.url).toBe('postgresql://conveyor@db:5432/conveyor');
    });
  });

  describe('invalid values', () => {
    it('lists every invalid value in one message, each by name', () => {
      const err = configError({ PORT: 'abc', WORKER_CONCURRENCY: '0', LOG_LEVEL: 'chatty', LOG_FORMAT: 'xml', METRICS_PORT: '70000' });
      expect(err.message).toMatch(/^Invalid configuration:/);
      expect(err.message).toMatch(/PORT: /);
      expect(err.message).toMatch(/WORKER_CONCURRENCY: /);
      expect(err.message).toMatch(/LOG_LEVEL: /);
      expect(err.message).toMatch(/LOG_FORMAT: /);
      expect(err.message).toMatch(/METRICS_PORT: /);
      expect(err.problems).toHaveLength(5);
    });

    it('reports a malformed BATCH_MODEL_MODES by name', () => {
      expect(configError({ BATCH_MODEL_MODES: 'gpt-4o=sometimes' }).problems).toEqual([
        'BATCH_MODEL_MODES: "gpt-4o=sometimes": the mode must be combined or concurrent',
      ]);
    });

    it('reports a malformed TENANT_WEIGHTS by name, beside the other problems', () => {
      const err = configError({ TENANT_WEIGHTS: 'tenant-a:0', PORT: 'abc' });
      expect(err.problems).toEqual([expect.stringMatching(/^PORT: /), expect.stringMatching(/^TENANT_WEIGHTS: "tenant-a:0": the weight must be/)]);
    });

    it('lists invalid values together with missing required URLs', () => {
      const err = configError({ PORT: 'abc' }, { require: ['broker'] });
      expect(err.message).toMatch(/PORT: /);
      expect(err.message).toMatch(/BROKER_URL: /);
    });

    it('explains a missing BROKER_URL when the process requires the broker', () => {
      const err = configError({}, { require: ['broker'] });
      expect(err.problems).toEqual(['BROKER_URL: required for this service (amqp://<user>:<password>@<host>:5672)']);
    });

    it('explains a missing DATABASE_URL when the process requires the database', () => {
      const err = configError({ BROKER_URL: 'amqp://localhost' }, { require: ['broker', 'database'] });
      expect(err.problems).toEqual([expect.stringMatching(/^DATABASE_URL: required for this service/)]);
    });

    it('rejects a BROKER_URL that is not amqp:// or amqps://', () => {
      const err = configError({ BROKER_URL: 'http://rabbit:5672' });
      expect(err.message).toMatch(/BROKER_URL: must be amqp:\/\/ or amqps:\/\/ URLs/);
    });

    it('rejects a DATABASE_URL that is not postgres:// or postgresql://', () => {
      expect(configError({ DATABASE_URL: 'mysql://db/conveyor' }).message).toMatch(/DATABASE_URL: /);
    });

    it('rejects SIMULATED_MIN_TOKENS above SIMULATED_MAX_TOKENS', () => {
      expect(configError({ SIMULATED_MIN_TOKENS: '10', SIMULATED_MAX_TOKENS: '5' }).message).toMatch(/SIMULATED_MIN_TOKENS: must not exceed/);
    });
  });

  describe('COMPAT_PREFIX', () => {
    it("mounts the seeds' routes at the root by default, or under a path, without a trailing slash", () => {
      expect(loadConfig({}).compat.prefix).toBe('');
      expect(loadConfig({ COMPAT_PREFIX: '/' }).compat.prefix).toBe('');
      expect(loadConfig({ COMPAT_PREFIX: '/compat/' }).compat.prefix).toBe('/compat');
      expect(loadConfig({ COMPAT_PREFIX: '/seeds/v0' }).compat.prefix).toBe('/seeds/v0');
    });

    it('refuses what is not a path', () => {
      expect(() => loadConfig({ COMPAT_PREFIX: 'compat' })).toThrow(/COMPAT_PREFIX/);
      expect(() => loadConfig({ COMPAT_PREFIX: '/a b' })).toThrow(/COMPAT_PREFIX/);
    });
  });

  describe('API keys', () => {
    const DEMO = {
      'tok-alice-secret': 'tenant-alice',
      'tok-bob-secret': 'tenant-bob',
      'test-key-123': 'tenant-test',
      'demo-key-456': 'tenant-demo',
    };

    it('grants the four demo keys in embedded mode when no keys are configured', () => {
      const { keys } = loadConfig({}, { embedded: true }).auth;
      expect(keys.map((k) => [k.keyHash, k.tenantId])).toEqual(Object.entries(DEMO).map(([key, tenant]) => [hashApiKey(key), tenant]));
    });

    it('flags the demo keys as in use only when they were granted', () => {
      expect(loadConfig({}, { embedded: true }).auth.demoKeys).toBe(true);
      expect(loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }).auth.demoKeys).toBe(false);
      expect(loadConfig({}).auth.demoKeys).toBe(false);
    });

    it('adds the demo admin key with the demo keys only, and never beside configured admin keys', () => {
      const demoAdmin = hashApiKey(DEMO_ADMIN_API_KEY);
      expect(loadConfig({}, { embedded: true }).auth.adminKeyHashes).toEqual([demoAdmin]);
      expect(loadConfig({ ADMIN_API_KEYS: 'my-own-admin-key-0001' }, { embedded: true }).auth.adminKeyHashes).toEqual([hashApiKey('my-own-admin-key-0001')]);
      expect(loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }).auth.adminKeyHashes).toEqual([]);
      expect(loadConfig({}).auth.adminKeyHashes).toEqual([]);
    });

    it('binds to loopback while the demo keys are on, unless HOST is set explicitly', () => {
      expect(loadConfig({}, { embedded: true }).http).toMatchObject({ host: '127.0.0.1', loopbackForDemoKeys: true });
      expect(loadConfig({ HOST: '0.0.0.0' }, { embedded: true }).http).toMatchObject({ host: '0.0.0.0', loopbackForDemoKeys: false });
      expect(loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }).http).toMatchObject({ host: '0.0.0.0', loopbackForDemoKeys: false });
      expect(loadConfig({}).http.host).toBe('0.0.0.0');
    });

    it('reads CORS_ORIGINS as an allowlist of origins, and refuses anything that is not an origin', () => {
      expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).http.corsOrigins).toEqual([
        'https://app.example.com',
        'http://localhost:3000',
      ]);
      expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
      expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path' })).toThrow(/CORS_ORIGINS/);
    });

    it('refuses a headers timeout longer than the whole-arrival timeout', () => {
      expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_BODY_TIMEOUT_MS: '10000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    });

    it('refuses an orphan bound that a submit still waiting for its confirm could reach', () => {
      expect(() => loadConfig({ JOB_ORPHAN_AFTER_MS: '5000', BROKER_PUBLISH_TIMEOUT_MS: '5000' })).toThrow(
        /JOB_ORPHAN_AFTER_MS: must exceed BROKER_PUBLISH_TIMEOUT_MS/,
      );
      expect(loadConfig({ JOB_ORPHAN_AFTER_MS: '5001', BROKER_PUBLISH_TIMEOUT_MS: '5000' }).jobQueues.orphanAfterMs).toBe(5001);
    });

    it('grants no keys by default outside embedded mode', () => {
      expect(loadConfig({}).auth.keys).toEqual([]);
    });

    it('uses API_KEYS instead of the demo keys when set, even in embedded mode', () => {
      const { keys } = loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }).auth;
      expect(keys.map((k) => k.tenantId)).toEqual(['mine']);
    });

    it('reads keys from API_KEYS_FILE, in addition to API_KEYS', () => {
      const dir = mkdtempSync(join(tmpdir(), 'conveyor-keys-'));
      try {
        const file = join(dir, 'keys');
        writeFileSync(file, '# file keys\nfile-key-0001:tenant-file\n');
        const { keys } = loadConfig({ API_KEYS: 'env-key-0001:tenant-env', API_KEYS_FILE: file }).auth;
        expect(keys.map((k) => k.tenantId).sort()).toEqual(['tenant-env', 'tenant-file']);
        // A keys file replaces the embedded demo keys.
        expect(loadConfig({ API_KEYS_FILE: file }, { embedded: true }).auth.keys.map((k) => k.tenantId)).toEqual(['tenant-file']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('keeps only key hashes in the config, never a plain key', () => {
      const config = loadConfig({}, { embedded: true });
      const serialized = JSON.stringify(config);
      for (const key of Object.keys(DEMO)) expect(serialized).not.toContain(key);
    });

    it.each([
      ['a short key', 'Sh0rt!:tenant-a', 'Sh0rt!'],
      ['a bad tenant id', 'sk-live-Xy7Qp2Lm9:not a tenant', 'sk-live-Xy7Qp2Lm9'],
    ])('reports %s under API_KEYS without revealing the key', (_label, raw, secret) => {
      const err = configError({ API_KEYS: raw });
      expect(err.message).toMatch(/API_KEYS: entry 1: /);
      expect(err.message).not.toContain(secret);
      expect(JSON.stringify(err.problems)).not.toContain(secret);
    });

    it('does not reveal configured keys when some other setting is invalid', () => {
      const err = configError({ API_KEYS: 'sk-live-Xy7Qp2Lm9:tenant-a', PORT: 'abc' });
      expect(err.message).not.toContain('sk-live-Xy7Qp2Lm9');
    });
  });

  describe('admission', () => {
    it('limits nothing by default, and allows every band', () => {
      const { admission } = loadConfig({});
      expect(admission).toEqual({
        defaults: {
          rate_limits: { tenant: { rpm: null, burst: null, tpm: null }, key: { rpm: null, burst: null, tpm: null } },
          budgets: { daily_tokens: null, monthly_tokens: null, daily_usd: null, monthly_usd: null },
          priorities: ['high', 'normal', 'low'],
        },
        defaultMaxTokens: 1_024,
        budgetCacheMs: 1_000,
        refreshMs: 5_000,
        idempotency: { ttlMs: 86_400_000, leaseMs: 30_000 },
      });
    });

    it('reads the default limits per tenant and per key, budgets and bands', () => {
      const { defaults } = loadConfig({
        RATE_LIMIT_RPM: '600',
        RATE_LIMIT_TPM: '100000',
        RATE_LIMIT_KEY_RPM: '60',
        RATE_LIMIT_KEY_BURST: '10',
        BUDGET_MONTHLY_TOKENS: '5000000',
        BUDGET_DAILY_USD: '12.5',
        PRIORITY_BANDS: 'low, Normal',
      }).admission;
      expect(defaults).toEqual({
        rate_limits: { tenant: { rpm: 600, burst: null, tpm: 100_000 }, key: { rpm: 60, burst: 10, tpm: null } },
        budgets: { daily_tokens: null, monthly_tokens: 5_000_000, daily_usd: 12.5, monthly_usd: null },
        priorities: ['normal', 'low'],
      });
    });

    it("gives the embedded demo keys seed 001's 60 requests per minute, burst 10, unless a per-key limit is set", () => {
      expect(loadConfig({}, { embedded: true }).admission.defaults.rate_limits.key).toEqual({ rpm: 60, burst: 10, tpm: null });
      expect(loadConfig({ RATE_LIMIT_KEY_TPM: '1000' }, { embedded: true }).admission.defaults.rate_limits.key).toEqual({ rpm: null, burst: null, tpm: 1000 });
      expect(loadConfig({ API_KEYS: 'my-own-key-1:mine' }, { embedded: true }).admission.defaults.rate_limits.key.rpm).toBeNull();
    });

    it('rejects unknown bands, and names the setting RATE_LIMIT_SUBMITS_PER_MINUTE became', () => {
      expect(configError({ PRIORITY_BANDS: 'high,urgent' }).message).toMatch(/PRIORITY_BANDS: must list bands/);
      expect(configError({ RATE_LIMIT_SUBMITS_PER_MINUTE: '60' }).message).toMatch(/RATE_LIMIT_SUBMITS_PER_MINUTE: .*RATE_LIMIT_RPM/);
    });

    it('keeps admin keys as hashes, at least 16 characters, never also a tenant key', () => {
      const { auth } = loadConfig({ ADMIN_API_KEYS: 'adm-0123456789abcdef, adm-fedcba9876543210 # ops' });
      expect(auth.adminKeyHashes).toEqual([hashApiKey('adm-0123456789abcdef'), hashApiKey('adm-fedcba9876543210')]);
      expect(JSON.stringify(auth)).not.toContain('adm-0123456789abcdef');
      expect(configError({ ADMIN_API_KEYS: 'adm-short' }).message).toMatch(/ADMIN_API_KEYS: entry 1: an admin key must be at least 16 characters/);
      expect(configError({ ADMIN_API_KEYS: 'shared-key-0123456789', API_KEYS: 'shared-key-0123456789:tenant-a' }).message).toMatch(
        /ADMIN_API_KEYS: a key cannot be both/,
      );
    });
  });
});
