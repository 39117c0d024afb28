import { Webhook } from 'standardwebhooks';
import { generateSigningSecret, signWebhook } from './webhook-signature';

describe('signWebhook', () => {
  const body = JSON.stringify({ id: 'msg_1', type: 'job.completed', data: { job_id: 'j' } });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('produces headers the reference verifier accepts', () => {
    const secret = generateSigningSecret();
    const headers = signWebhook(secret, 'msg_1', body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the specification's examples: secret, id, timestamp and body with a known signature.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', '{"test": 2432232314}', new Date(1614265330_000));
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('fails verification when one byte of the body changes', () => {
    const secret = generateSigningSecret();
    const headers = signWebhook(secret, 'msg_1', body);
    const tampered = body.replace('job.completed', 'job.completeD');
    expect(() => new Webhook(secret).verify(tampered, { ...headers })).toThrow();
  });

  it('signs each attempt afresh: another timestamp, another signature, the same id', () => {
    const secret = generateSigningSecret();
    const first = signWebhook(secret, 'msg_1', body, new Date(1_700_000_000_000));
    const retry = signWebhook(secret, 'msg_1', body, new Date(1_700_000_005_000));
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(retry['webhook-timestamp']).not.toBe(first['webhook-timestamp']);
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signWebhook('plain', 'msg_1', body)).toThrow(/whsec_/);
  });
});
