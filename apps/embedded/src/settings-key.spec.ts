import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@conveyor/config';
import { embeddedSettingsKey } from './settings-key';

describe('embeddedSettingsKey', () => {
  it('keeps SETTINGS_ENCRYPTION_KEY when it is set, and says nothing', () => {
    const { config, note } = embeddedSettingsKey(loadConfig({ SETTINGS_ENCRYPTION_KEY: 'operator-chosen-key-123' }, { embedded: true }));
    expect(config.tenantSettings.encryptionKey).toBe('operator-chosen-key-123');
    expect(note).toBeNull();
  });

  it('generates one beside the embedded database, owner-readable only, and reads the same one after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-key-'));
    const env = { EMBEDDED_DATA_DIR: join(dir, 'pgdata') };
    const first = embeddedSettingsKey(loadConfig(env, { embedded: true }));
    const file = join(dir, 'pgdata.settings-key');
    expect(first.note).toContain(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.config.tenantSettings.encryptionKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(embeddedSettingsKey(loadConfig(env, { embedded: true })).config.tenantSettings.encryptionKey).toBe(first.config.tenantSettings.encryptionKey);
  });

  it('generates one for the run alone when nothing outlives it (EMBEDDED_DATA_DIR=memory)', () => {
    const { config, note } = embeddedSettingsKey(loadConfig({ EMBEDDED_DATA_DIR: 'memory' }, { embedded: true }));
    expect(config.tenantSettings.encryptionKey!.length).toBeGreaterThanOrEqual(32);
    expect(note).toContain('generated for this run');
  });
});
