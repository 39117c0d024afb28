import { loadConfig } from '@conveyor/config';
import { ProviderKeyCipher, type TenantSettingsStore } from '@conveyor/database';
import { TenantProviderKeys } from './tenant-provider-keys.service';

const SECRET = 'worker-settings-secret-0001';

/** A store holding one tenant's sealed keys at a version, counting its reads. */
function storeWith(keys: Record<string, string>, version: string | null) {
  const state = { keys, version, reads: 0 };
  const store = {
    sealedKeys: async () => {
      state.reads += 1;
      return { keys: new Map(Object.entries(state.keys)), version: state.version };
    },
  } as unknown as TenantSettingsStore;
  return { store, state };
}

describe('TenantProviderKeys', () => {
  const cipher = new ProviderKeyCipher(SECRET);
  const config = loadConfig({ SETTINGS_ENCRYPTION_KEY: SECRET });

  it('opens the sealed keys once and serves them from memory while no newer version is asked for', async () => {
    const { store, state } = storeWith({ main: cipher.seal('sk-own', 't', 'main') }, '00001767225600000000');
    const keys = new TenantProviderKeys(store, config);
    expect(await keys.of('t')).toEqual(new Map([['main', { key: 'sk-own' }]]));
    expect(await keys.of('t', '00001767225600000000')).toEqual(new Map([['main', { key: 'sk-own' }]]));
    expect(state.reads).toBe(1);
  });

  it('reads again for a job admitted after a change, and after a broadcast', async () => {
    const { store, state } = storeWith({ main: cipher.seal('sk-old', 't', 'main') }, '00001767225600000000');
    const keys = new TenantProviderKeys(store, config);
    await keys.of('t');
    Object.assign(state, { keys: {}, version: '00001767312000000000' });
    expect(await keys.of('t', '00001767312000000000')).toEqual(new Map());
    state.keys = { main: cipher.seal('sk-new', 't', 'main') };
    keys.invalidate('t');
    expect(await keys.of('t')).toEqual(new Map([['main', { key: 'sk-new' }]]));
    expect(state.reads).toBe(3);
  });

  it('says why a key cannot be opened: no SETTINGS_ENCRYPTION_KEY here, or another one', async () => {
    const { store } = storeWith({ main: cipher.seal('sk-own', 't', 'main') }, null);
    const without = await new TenantProviderKeys(store, loadConfig({})).of('t');
    expect(without.get('main')).toEqual({ error: expect.stringMatching(/SETTINGS_ENCRYPTION_KEY is not set/) });
    const other = await new TenantProviderKeys(store, loadConfig({ SETTINGS_ENCRYPTION_KEY: 'another-secret-000001' })).of('t');
    expect(other.get('main')).toEqual({ error: expect.stringMatching(/cannot be opened with this worker's SETTINGS_ENCRYPTION_KEY/) });
  });
});
