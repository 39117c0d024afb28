import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ConveyorConfig } from '@conveyor/config';

/** The embedded default's key for tenants' provider keys, and what the banner says about it. */
export interface EmbeddedSettingsKey {
  config: ConveyorConfig;
  /** Where the key came from, for the banner; null when SETTINGS_ENCRYPTION_KEY was set. */
  note: string | null;
}

/**
 * Tenants' provider keys are always stored sealed. Without SETTINGS_ENCRYPTION_KEY the embedded default generates a
 * random key and keeps it beside the embedded database (`<EMBEDDED_DATA_DIR>.settings-key`, readable by its owner only), so
 * keys stored before a restart still open after it; with `EMBEDDED_DATA_DIR=memory` and no DATABASE_URL nothing
 * outlives the process, and neither does the key.
 */
export function embeddedSettingsKey(config: ConveyorConfig): EmbeddedSettingsKey {
  if (config.tenantSettings.encryptionKey) return { config, note: null };
  const inMemory = config.database.embeddedDataDir === 'memory' && !config.database.url;
  let key: string;
  let note: string;
  if (inMemory) {
    key = randomBytes(32).toString('base64url');
    note = 'Provider keys in tenant settings are sealed with a key generated for this run (EMBEDDED_DATA_DIR=memory).';
  } else {
    // Beside the data directory, not in it: PGlite initialises only an empty directory.
    const file =
      config.database.embeddedDataDir === 'memory' ? resolve('.conveyor', 'settings.key') : `${resolve(config.database.embeddedDataDir)}.settings-key`;
    key = readOrCreate(file);
    note = `Provider keys in tenant settings are sealed with the key generated in ${file}; set SETTINGS_ENCRYPTION_KEY to use your own.`;
  }
  return { config: { ...config, tenantSettings: { ...config.tenantSettings, encryptionKey: key } }, note };
}

function readOrCreate(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
