import { hashApiKey, parseApiKeys, type ApiKeyGrant } from './api-keys.util';

const expectNoPlainKey = (grants: ApiKeyGrant[], keys: string[]) => {
  const serialized = JSON.stringify(grants);
  for (const key of keys) expect(serialized).not.toContain(key);
};

describe('hashApiKey', () => {
  it('is the hex SHA-256 of the key', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('parseApiKeys', () => {
  it('parses comma-separated key:tenant pairs into hashed grants', () => {
    const grants = parseApiKeys('tok-alice-secret:tenant-alice,tok-bob-secret:tenant-bob');
    expect(grants).toEqual([
      { keyHash: hashApiKey('tok-alice-secret'), tenantId: 'tenant-alice', label: `tok-…${hashApiKey('tok-alice-secret').slice(0, 8)}` },
      { keyHash: hashApiKey('tok-bob-secret'), tenantId: 'tenant-bob', label: `tok-…${hashApiKey('tok-bob-secret').slice(0, 8)}` },
    ]);
  });

  it('accepts new lines, blank lines, surrounding spaces and # comments', () => {
    const raw = [
      '# production keys',
      '  sk-one-11111111 : tenant-one  ',
      '',
      'sk-two-22222222:tenant-two # rotated in May',
      '#sk-old-33333333:tenant-old',
    ].join('\n');
    const grants = parseApiKeys(raw);
    expect(grants.map((g) => [g.keyHash, g.tenantId])).toEqual([
      [hashApiKey('sk-one-11111111'), 'tenant-one'],
      [hashApiKey('sk-two-22222222'), 'tenant-two'],
    ]);
  });

  it('does not turn the text of a comment containing a comma into a key', () => {
    // A comment runs to the end of its line: "rotate monthly" is not an API key.
    const grants = parseApiKeys('sk-one-11111111:tenant-one # staging keys, rotate monthly');
    expect(grants.map((g) => g.tenantId)).toEqual(['tenant-one']);
    expect(grants.some((g) => g.keyHash === hashApiKey('rotate monthly'))).toBe(false);
  });

  it('returns no grants for an empty or comment-only input', () => {
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys(' , \n# nothing here\n')).toEqual([]);
  });

  it('splits on the last colon, so a key may itself contain colons', () => {
    const [grant] = parseApiKeys('sk:with:colons:tenant-x');
    expect(grant).toEqual(expect.objectContaining({ keyHash: hashApiKey('sk:with:colons'), tenantId: 'tenant-x' }));
  });

  it('gives a key without a tenant a stable tenant of its own, derived from the key hash', () => {
    const [first] = parseApiKeys('lonely-key-123456');
    const [again] = parseApiKeys('lonely-key-123456');
    const [other] = parseApiKeys('another-key-654321');
    expect(first!.tenantId).toBe(`tenant-${hashApiKey('lonely-key-123456').slice(0, 12)}`);
    expect(again!.tenantId).toBe(first!.tenantId);
    expect(other!.tenantId).not.toBe(first!.tenantId);
  });

  it('rejects keys shorter than 8 characters, naming the entry but not the key', () => {
    expect(() => parseApiKeys('long-enough-key:t1,Sh0rt!:t2')).toThrow(/entry 2: a key must be at least 8 characters/);
    try {
      parseApiKeys('long-enough-key:t1,Sh0rt!:t2');
    } catch (err) {
      expect((err as Error).message).not.toContain('Sh0rt!');
    }
  });

  it.each(['bad tenant', '-leading-dash', 'tenant/with/slash', 'x'.repeat(65), ''])('rejects the tenant id %p without echoing the key', (tenant) => {
    const key = 'sk-live-Xy7Qp2Lm9';
    let message = '';
    try {
      parseApiKeys(`${key}:${tenant}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/entry 1: tenant id must match/);
    expect(message).not.toContain(key);
  });

  it('never keeps the plain key in a grant; the label shows only its first four characters', () => {
    const keys = ['tok-alice-secret', 'sk-live-Xy7Qp2Lm9', 'key-without-tenant'];
    const grants = parseApiKeys(`${keys[0]}:tenant-alice\n${keys[1]}:tenant-x,${keys[2]}`);
    expect(grants).toHaveLength(3);
    expectNoPlainKey(grants, keys);
    grants.forEach((grant, i) => {
      const key = keys[i]!;
      expect(grant.label).toBe(`${key.slice(0, 4)}…${grant.keyHash.slice(0, 8)}`);
      expect(grant.label).not.toContain(key.slice(0, 5));
    });
  });
});
