import { entitledBand } from './priority-entitlement.util';

describe('entitledBand', () => {
  it('keeps a band the tenant may use', () => {
    expect(entitledBand('high', ['high', 'normal', 'low'])).toBe('high');
    expect(entitledBand('low', ['normal', 'low'])).toBe('low');
  });

  it('lowers a band above the entitlement to the highest allowed band below it', () => {
    expect(entitledBand('high', ['normal', 'low'])).toBe('normal');
    expect(entitledBand('high', ['low'])).toBe('low');
    expect(entitledBand('normal', ['high', 'low'])).toBe('low');
  });

  it('refuses (null) when every allowed band is above the one asked for', () => {
    expect(entitledBand('low', ['high', 'normal'])).toBeNull();
    expect(entitledBand('normal', ['high'])).toBeNull();
  });
});
