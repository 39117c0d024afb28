import { createHash } from 'node:crypto';

export interface ApiKeyGrant {
  /** SHA-256 of the key, hex. The key itself is never kept past parsing. */
  keyHash: string;
  tenantId: string;
  /** A short, non-secret label for logs: the first four characters and the hash prefix. */
  label: string;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses `key:tenant` pairs separated by commas or new lines (`#` starts a comment).
 * A key without a tenant gets a tenant of its own, named after the key's hash.
 */
export function parseApiKeys(raw: string): ApiKeyGrant[] {
  const grants = new Map<string, ApiKeyGrant>();
  // Comments end at the line's end, so strip them per line before splitting a line on commas.
  const entries = raw
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const sep = entry.lastIndexOf(':');
    const key = (sep > 0 ? entry.slice(0, sep) : entry).trim();
    const keyHash = hashApiKey(key);
    const tenantId = sep > 0 ? entry.slice(sep + 1).trim() : `tenant-${keyHash.slice(0, 12)}`;
    if (key.length < 8) throw new Error(`entry ${index + 1}: a key must be at least 8 characters`);
    if (!TENANT.test(tenantId)) throw new Error(`entry ${index + 1}: tenant id must match ${TENANT}`);
    grants.set(keyHash, { keyHash, tenantId, label: `${key.slice(0, 4)}…${keyHash.slice(0, 8)}` });
  });
  return [...grants.values()];
}

/**
 * Parses admin keys (`ADMIN_API_KEYS`): keys separated by commas or new lines (`#` starts a comment), each at least
 * 16 characters. Answers their SHA-256 hashes only; an admin key belongs to no tenant.
 */
export function parseAdminKeys(raw: string): string[] {
  const keys = raw
    .split('\n')
    .flatMap((line) => line.replace(/#.*$/, '').split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  keys.forEach((key, index) => {
    if (key.length < 16) throw new Error(`entry ${index + 1}: an admin key must be at least 16 characters`);
  });
  return [...new Set(keys.map(hashApiKey))];
}

/** How an admin key is named in the audit log and logs: `adm_` and its hash's first 12 hex digits, never the key. */
export function adminIdOf(keyHash: string): string {
  return `adm_${keyHash.slice(0, 12)}`;
}
