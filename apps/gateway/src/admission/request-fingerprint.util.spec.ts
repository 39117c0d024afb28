import { requestFingerprint } from './request-fingerprint.util';

describe('requestFingerprint', () => {
  const body = { model: 'simulated', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 5 };

  it('is the same for the same body, whatever the order of its keys', () => {
    const reordered = { max_tokens: 5, messages: [{ content: 'Hello', role: 'user' }], model: 'simulated' };
    expect(requestFingerprint(reordered, undefined)).toBe(requestFingerprint(body, undefined));
    expect(requestFingerprint(body, undefined)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs for another value, another message order, or another X-Priority', () => {
    const fp = requestFingerprint(body, undefined);
    expect(requestFingerprint({ ...body, max_tokens: 6 }, undefined)).not.toBe(fp);
    expect(requestFingerprint({ ...body, messages: [{ role: 'user', content: 'Hello!' }] }, undefined)).not.toBe(fp);
    expect(requestFingerprint(body, 'high')).not.toBe(fp);
    expect(requestFingerprint([1, 2], undefined)).not.toBe(requestFingerprint([2, 1], undefined));
  });
});
