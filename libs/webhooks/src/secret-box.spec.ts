import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==';

  it('seals with a key so the stored text never contains the secret, and opens it again', () => {
    const box = new SecretBox('operator-key');
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^aes256gcm:/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(box.open(sealed)).toBe(secret);
  });

  it('refuses to open with another key', () => {
    expect(() => new SecretBox('other-key').open(new SecretBox('operator-key').seal(secret))).toThrow();
  });

  it('stores secrets marked plain without a key, and still opens them once a key is set', () => {
    const stored = new SecretBox(undefined).seal(secret);
    expect(stored).toBe(`plain:${secret}`);
    expect(new SecretBox('operator-key').open(stored)).toBe(secret);
  });

  it('cannot open a sealed secret without the key', () => {
    expect(() => new SecretBox(undefined).open(new SecretBox('k').seal(secret))).toThrow(/WEBHOOK_SECRET_KEY/);
  });
});
