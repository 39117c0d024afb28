import { maskKey, presentSettings, settingsUpdateOf } from './settings.presenter';
import { settingsUpdateSchema } from './settings-request.schema';

const bands = { high: { tokens: 100, latency_ms: 500 }, normal: { tokens: 200, latency_ms: 2000 }, low: { tokens: 300, latency_ms: 5000 } };
const at = new Date('2026-02-01T12:00:00.000Z');

describe('presentSettings', () => {
  it("shows the seed's fields, the default deployment's key as api_key, and every key masked", () => {
    const view = presentSettings({
      bands,
      providerKeys: [
        { deployment: 'gpt-main', last4: 'abcd', updatedAt: at },
        { deployment: 'claude', last4: 'wxyz', updatedAt: at },
      ],
      defaultDeployment: 'gpt-main',
      updatedAt: at,
      version: '00001769947200000000',
    });
    expect(view).toEqual({
      api_key: '***abcd',
      high_priority: bands.high,
      medium_priority: bands.normal,
      low_priority: bands.low,
      provider_keys: [
        { deployment: 'gpt-main', api_key: '***abcd', updated_at: at.toISOString() },
        { deployment: 'claude', api_key: '***wxyz', updated_at: at.toISOString() },
      ],
      default_deployment: 'gpt-main',
      updated_at: at.toISOString(),
    });
    expect(maskKey('1234')).toBe('***1234');
  });
});

describe('settingsUpdateOf', () => {
  const parse = (body: unknown) => settingsUpdateOf(settingsUpdateSchema(4096).parse(body));

  it("maps the seed's priorities onto bands, keeping only the fields given", () => {
    expect(parse({ high_priority: { tokens: 5 }, medium_priority: { latency_ms: 900 }, low_priority: {} })).toEqual({
      bands: { high: { tokens: 5 }, normal: { latency_ms: 900 } },
    });
  });

  it('sets a key (for a deployment, or the default one) or removes it; a deployment alone changes nothing', () => {
    expect(parse({ api_key: '  sk-0123456789  ', deployment: 'gpt-main' })).toEqual({ providerKey: { deployment: 'gpt-main', apiKey: 'sk-0123456789' } });
    expect(parse({ api_key: null })).toEqual({ providerKey: { deployment: undefined, apiKey: null } });
    expect(parse({ deployment: 'gpt-main' })).toEqual({});
  });

  it('refuses caps past MAX_TOKENS_CAP, non-integers and short keys, naming the field and never the key', () => {
    const schema = settingsUpdateSchema(4096);
    expect(schema.safeParse({ high_priority: { tokens: 4097 } }).error?.issues[0]?.path).toEqual(['high_priority', 'tokens']);
    expect(schema.safeParse({ low_priority: { latency_ms: 1.5 } }).error?.issues[0]?.path).toEqual(['low_priority', 'latency_ms']);
    const short = schema.safeParse({ api_key: 'sk-abc' }).error!.issues[0]!;
    expect(short.path).toEqual(['api_key']);
    expect(short.message).not.toContain('sk-abc');
  });
});
