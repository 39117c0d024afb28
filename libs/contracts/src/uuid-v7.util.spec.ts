import { isUuid, uuidv7 } from './uuid-v7.util';

const hexDigits = (id: string) => id.replace(/-/g, '');

describe('uuidv7', () => {
  it('produces a canonical 8-4-4-4-12 lowercase hex UUID', () => {
    expect(uuidv7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('sets the version nibble to 7', () => {
    for (let i = 0; i < 50; i += 1) expect(uuidv7().charAt(14)).toBe('7');
  });

  it('sets the RFC 9562 variant bits (10xx) so the 17th hex digit is 8, 9, a or b', () => {
    for (let i = 0; i < 50; i += 1) expect(uuidv7().charAt(19)).toMatch(/^[89ab]$/);
  });

  it('stores the Unix milliseconds in the first 48 bits', () => {
    const now = 1_717_171_717_171;
    expect(parseInt(hexDigits(uuidv7(now)).slice(0, 12), 16)).toBe(now);
  });

  it('fills the remaining bits randomly, so two ids from the same millisecond differ', () => {
    const now = 1_700_000_000_000;
    expect(uuidv7(now)).not.toBe(uuidv7(now));
  });

  it('sorts lexicographically in creation order when created at increasing milliseconds', () => {
    // Includes steps across hex-digit boundaries (…ff → …100) to catch missing zero padding.
    const times = [0xff, 0x100, 0xfff, 0x1000, 1_600_000_000_000, 1_600_000_000_001, 1_700_000_000_000, 1_700_000_000_999, 2_000_000_000_000];
    const ids = times.map((t) => uuidv7(t));
    const shuffled = [...ids].reverse();
    expect(shuffled.sort()).toEqual(ids);
  });

  it('sorts ids made in one millisecond in creation order', () => {
    const now = 1_700_000_000_000;
    const ids = Array.from({ length: 100 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(100);
  });

  it('keeps the given time even just after a later one', () => {
    const earlier = 1_700_000_000_000;
    const later = earlier + 5;
    uuidv7(later);
    expect(parseInt(hexDigits(uuidv7(earlier)).slice(0, 12), 16)).toBe(earlier);
  });

  it('sorts ids made from the real clock in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(uuidv7());
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('isUuid', () => {
  it('accepts generated ids and upper-case UUIDs', () => {
    expect(isUuid(uuidv7())).toBe(true);
    expect(isUuid('0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B')).toBe(true);
  });

  it.each([
    '',
    'not-a-uuid',
    '0190a5b27c3d7e4f8a1b2c3d4e5f6a7b',
    '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7',
    '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7bb',
    '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7g',
    ' 0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
  ])('rejects %p', (value) => {
    expect(isUuid(value)).toBe(false);
  });
});
