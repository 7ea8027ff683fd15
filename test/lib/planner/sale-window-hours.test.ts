import { saleWindowHours } from '../../../lib/planner/sale-window-hours';

describe('saleWindowHours', () => {
  it('adds warm-up and cool-down to every window', () => {
    expect(
      saleWindowHours([
        { start: '2026-11-30T08:00', end: '2026-11-30T23:00', warmUpMinutes: 45, coolDownMinutes: 60 },
        { start: '2026-12-04T00:00', end: '2026-12-04T02:00:00', warmUpMinutes: 30, coolDownMinutes: 30 },
      ]),
    ).toBeCloseTo(15 + 1.75 + 2 + 1);
  });

  it('is zero without windows', () => {
    expect(saleWindowHours([])).toBe(0);
  });
});
