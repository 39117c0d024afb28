import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from './api-keys.util';
import { ConfigException } from './config.exception';
import { loadConfig, type LoadConfigOptions } from './conveyor-config';

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
          http: { host: '0.0.0.0', port: 8000, bodyLimitBytes: 1_048_576 },
          streaming: { port: 8001, coalesceMs: 30, coalesceChars: 256, heartbeatMs: 15_000, clientBufferBytes: 1_048_576 },
          limits: { maxTokensCap: 32_768, maxMessages: 1_024 },
          defaultModel: 'simulated',
          auth: expect.objectContaining({ keys: [], cacheTtlMs: 30_000 }),
          broker: {
            url: undefined,
            heartbeatS: 10,
            publishTimeoutMs: 5_000,
            reconnectMs: 1_000,
            maxDeliveries: 5,
            retryDelayMs: 5_000,
            retryMaxAttempts: 5,
          },
          database: { url: undefined, poolSize: 10, migrate: true, embeddedDataDir: '.conveyor/pgdata', shared: false },
          simulated: { ttftMs: 500, tokensPerSecond: 25, minTokens: 16, maxTokens: 64 },
        }),
      );
      expect(config.worker).toEqual({ concurrency: 4, id: expect.stringMatching(/.+-\d+$/), idlePollMs: 1_000 });
    });

    it('reads numbers, booleans and URLs from their string forms', () => {
      const config = loadConfig({
        PORT: '9000',
        WORKER_CONCURRENCY: '16',
        DATABASE_MIGRATE: 'no',
        BROKER_URL: 'amqps://user:pass@broker:5671',
        DATABASE_URL: 'postgresql://conveyor@db:5432/conveyor',
      });
      expect(config.http.port).toBe(9000);
      expect(config.worker.concurrency).toBe(16);
      expect(config.database.migrate).toBe(false);
      expect(config.broker.url).toBe('amqps://user:pass@broker:5671');
      expect(config.database.url).toBe('postgresql://conveyor@db:5432/conveyor');
    });
  });

  describe('invalid values', () => {
    it('lists every invalid value in one message, each by name', () => {
      const err = configError({ PORT: 'abc', WORKER_CONCURRENCY: '0', LOG_LEVEL: 'chatty' });
      expect(err.message).toMatch(/^Invalid configuration:/);
      expect(err.message).toMatch(/PORT: /);
      expect(err.message).toMatch(/WORKER_CONCURRENCY: /);
      expect(err.message).toMatch(/LOG_LEVEL: /);
      expect(err.problems).toHaveLength(3);
    });

    it('lists invalid values together with missing required URLs', () => {
      const err = configError({ PORT: 'abc' }, { require: ['broker'] });
      expect(err.message).toMatch(/PORT: /);
      expect(err.message).toMatch(/BROKER_URL: /);
    });

    it('explains a missing BROKER_URL when the process requires the broker', () => {
      const err = configError({}, { require: ['broker'] });
      expect(err.problems).toEqual(['BROKER_URL: required for this service (amqp://user:pass@host:5672)']);
    });

    it('explains a missing DATABASE_URL when the process requires the database', () => {
      const err = configError({ BROKER_URL: 'amqp://localhost' }, { require: ['broker', 'database'] });
      expect(err.problems).toEqual([expect.stringMatching(/^DATABASE_URL: required for this service/)]);
    });

    it('rejects a BROKER_URL that is not amqp:// or amqps://', () => {
      const err = configError({ BROKER_URL: 'http://rabbit:5672' });
      expect(err.message).toMatch(/BROKER_URL: must be a URL starting with amqp:\/\/ or amqps:\/\//);
    });

    it('rejects a DATABASE_URL that is not postgres:// or postgresql://', () => {
      expect(configError({ DATABASE_URL: 'mysql://db/conveyor' }).message).toMatch(/DATABASE_URL: /);
    });

    it('rejects SIMULATED_MIN_TOKENS above SIMULATED_MAX_TOKENS', () => {
      expect(configError({ SIMULATED_MIN_TOKENS: '10', SIMULATED_MAX_TOKENS: '5' }).message).toMatch(/SIMULATED_MIN_TOKENS: must not exceed/);
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
});
