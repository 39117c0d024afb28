import { periodsOf } from './budget-period.util';

describe('periodsOf (budgets reset at midnight UTC and on the 1st of each month, UTC)', () => {
  it('bounds the UTC day and month of a moment, whatever its offset', () => {
    expect(periodsOf(new Date('2026-03-14T23:30:00-05:00'))).toEqual({
      dayStart: new Date('2026-03-15T00:00:00Z'),
      dayEnd: new Date('2026-03-16T00:00:00Z'),
      monthStart: new Date('2026-03-01T00:00:00Z'),
      monthEnd: new Date('2026-04-01T00:00:00Z'),
    });
  });

  it('rolls over at the end of a month, of February in a leap year, and of a year', () => {
    expect(periodsOf(new Date('2028-02-29T12:00:00Z')).dayEnd).toEqual(new Date('2028-03-01T00:00:00Z'));
    expect(periodsOf(new Date('2026-12-31T23:59:59.999Z'))).toMatchObject({
      dayEnd: new Date('2027-01-01T00:00:00Z'),
      monthStart: new Date('2026-12-01T00:00:00Z'),
      monthEnd: new Date('2027-01-01T00:00:00Z'),
    });
    expect(periodsOf(new Date('2027-01-01T00:00:00Z')).dayStart).toEqual(new Date('2027-01-01T00:00:00Z'));
  });
});
