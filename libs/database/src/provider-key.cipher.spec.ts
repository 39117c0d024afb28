import { ProviderKeyCipher } from './provider-key.cipher';

describe('ProviderKeyCipher', () => {
  const cipher = new ProviderKeyCipher('a-secret-of-sixteen-or-more');

  it('opens what it sealed, and never stores the key in clear', () => {
    const sealed = cipher.seal('sk-live-abcdef123456', 'tenant-a', 'gpt-main');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('sk-live');
    expect(cipher.open(sealed, 'tenant-a', 'gpt-main')).toBe('sk-live-abcdef123456');
  });

  it('seals the same key differently each time (a fresh IV)', () => {
    expect(cipher.seal('k', 't', 'd')).not.toBe(cipher.seal('k', 't', 'd'));
  });

  it("refuses another tenant's or deployment's row, another secret, and an altered value", () => {
    const sealed = cipher.seal('sk-live-abcdef123456', 'tenant-a', 'gpt-main');
    expect(() => cipher.open(sealed, 'tenant-b', 'gpt-main')).toThrow();
    expect(() => cipher.open(sealed, 'tenant-a', 'gpt-other')).toThrow();
    expect(() => new ProviderKeyCipher('another-secret-of-sixteen').open(sealed, 'tenant-a', 'gpt-main')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => cipher.open(`v1:${raw.toString('base64')}`, 'tenant-a', 'gpt-main')).toThrow();
  });
});
