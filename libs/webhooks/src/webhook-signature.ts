import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_<base64 of 32 random bytes>`, as Standard Webhooks and Svix spell them. */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret: receivers' libraries HMAC with the decoded bytes, not the text. */
function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a signing secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** The headers one attempt is sent with. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one attempt per Standard Webhooks: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`. The id
 * is the delivery's, stable across retries (receivers dedupe on it); the timestamp is the attempt's, so every
 * retry carries a fresh timestamp and therefore a fresh signature, and receivers may refuse stale ones.
 */
export function signWebhook(secret: string, webhookId: string, body: string, at: Date = new Date()): WebhookHeaders {
  const timestamp = Math.floor(at.getTime() / 1000).toString();
  const mac = createHmac('sha256', secretKey(secret)).update(`${webhookId}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${mac}` };
}
