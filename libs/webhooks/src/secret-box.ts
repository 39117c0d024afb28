import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const SEALED = 'aes256gcm:';
const PLAIN = 'plain:';

/**
 * Keeps webhook signing secrets encrypted at rest (AES-256-GCM) when the operator sets WEBHOOK_SECRET_KEY,
 * so a database dump alone cannot forge webhooks. Without a key (the embedded mode, local runs) secrets are
 * stored marked `plain:`; setting a key later still opens them, and every secret written afterwards is sealed.
 * The key is any string; it is stretched to 32 bytes with SHA-256.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(secretKey: string | undefined) {
    this.key = secretKey ? createHash('sha256').update(secretKey, 'utf8').digest() : null;
  }

  seal(secret: string): string {
    if (!this.key) return `${PLAIN}${secret}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${SEALED}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  open(stored: string): string {
    if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
    if (!stored.startsWith(SEALED)) throw new Error('unknown secret encoding');
    if (!this.key) throw new Error('a webhook secret is encrypted, but WEBHOOK_SECRET_KEY is not set');
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
