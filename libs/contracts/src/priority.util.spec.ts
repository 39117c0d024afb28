import { parsePriority } from './priority.util';

describe('parsePriority', () => {
  describe('named priorities', () => {
    it.each([
      ['high', 'high'],
      ['normal', 'normal'],
      ['low', 'low'],
      ['HIGH', 'high'],
      ['Low', 'low'],
      ['NoRmAl', 'normal'],
    ])('maps %p to %p regardless of case', (input, band) => {
      expect(parsePriority(input)).toBe(band);
    });

    it('treats "medium" (any case) as normal', () => {
      expect(parsePriority('medium')).toBe('normal');
      expect(parsePriority('MEDIUM')).toBe('normal');
    });

    it.each(['urgent', '', 'hi', 'highest', '5'])('rejects the unknown name %p', (input) => {
      expect(parsePriority(input)).toBeNull();
    });
  });

  describe('integer priorities from -10 to 10', () => {
    it.each([
      [10, 'high'],
      [7, 'high'],
      [5, 'high'],
      [4, 'normal'],
      [0, 'normal'],
      [-4, 'normal'],
      [-5, 'low'],
      [-7, 'low'],
      [-10, 'low'],
    ])('maps %p to %p', (input, band) => {
      expect(parsePriority(input)).toBe(band);
    });

    it.each([11, -11, 100, -100])('rejects the out-of-range integer %p', (input) => {
      expect(parsePriority(input)).toBeNull();
    });

    it.each([2.5, 5.5, -4.9, Number.NaN, Number.POSITIVE_INFINITY])('rejects the non-integer %p', (input) => {
      expect(parsePriority(input)).toBeNull();
    });
  });

  it.each([[true], [false], [{}], [[]], [['high']], [{ priority: 'high' }]])('rejects the non-string, non-number value %p', (input) => {
    expect(parsePriority(input)).toBeNull();
  });

  it.each([[undefined], [null]])('defaults %p (absent) to normal', (input) => {
    expect(parsePriority(input)).toBe('normal');
  });
});
