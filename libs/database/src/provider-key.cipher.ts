import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1:';

/**
 * Seals the provider keys tenants store (AES-256-GCM, a fresh 12-byte IV each time). The secret is any string of
 * 16 characters or more (SETTINGS_ENCRYPTION_KEY), stretched to 32 bytes with SHA-256. The tenant and deployment
 * are bound in as associated data, so a sealed key copied onto another tenant's or deployment's row does not open.
 */
export class ProviderKeyCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  seal(plain: string, tenantId: string, deployment: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadOf(tenantId, deployment));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  /** Throws when the stored value was sealed with another secret, for another row, or altered. */
  open(sealed: string, tenantId: string, deployment: string): string {
    if (!sealed.startsWith(VERSION)) throw new Error('unknown sealed key format');
    const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(aadOf(tenantId, deployment));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

function aadOf(tenantId: string, deployment: string): Buffer {
  return Buffer.from(`${tenantId}\u0000${deployment}`, 'utf8');
}
