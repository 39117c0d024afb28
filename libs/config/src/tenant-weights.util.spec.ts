import { parseTenantWeights } from './tenant-weights.util';

describe('parseTenantWeights', () => {
  it('reads tenant:weight pairs, fractions included', () => {
    expect([...parseTenantWeights(' tenant-a:4, tenant-b:0.5 ,')]).toEqual([
      ['tenant-a', 4],
      ['tenant-b', 0.5],
    ]);
  });

  it('is empty when unset', () => {
    expect(parseTenantWeights(undefined).size).toBe(0);
    expect(parseTenantWeights('').size).toBe(0);
  });

  it('keeps colons inside a tenant id (the weight is after the last one)', () => {
    expect(parseTenantWeights('org:team:3').get('org:team')).toBe(3);
  });

  it.each([
    ['tenant-a', 'is not tenant:weight'],
    [':2', 'is not tenant:weight'],
    ['tenant-a:0', 'above 0'],
    ['tenant-a:-1', 'above 0'],
    ['tenant-a:x', 'above 0'],
    ['tenant-a:101', 'at most 100'],
    ['tenant-a:1,tenant-a:2', 'listed twice'],
  ])('refuses %s', (text, message) => {
    expect(() => parseTenantWeights(text)).toThrow(message);
  });
});
