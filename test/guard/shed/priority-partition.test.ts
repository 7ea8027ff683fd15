import { partitionLimit } from '../../../guard/shed';
import { isInvalidOptionsError } from '../../../guard/errors';
import { validateClassShares } from '../../../guard/shed/priority-partition';

describe('partitionLimit', () => {
  it.each([
    // limit, criticalReservedShare, reserved, critical, high, normal, low
    [10, 0.2, 2, 10, 8, 6, 5],
    [8, 0.2, 2, 8, 6, 5, 4],
    [64, 0.2, 13, 64, 51, 43, 35],
    [512, 0.2, 103, 512, 409, 347, 286],
    [100, 0, 0, 100, 100, 85, 70],
    [2, 0.9, 1, 2, 1, 1, 1], // at least one slot stays shared
    [1, 0.5, 0, 1, 1, 1, 1], // a limit of one cannot reserve anything
    [10.9, 0.2, 2, 10, 8, 6, 5], // the limit is a whole number of requests
  ])(
    'limit %d with share %d reserves %d; ceilings critical %d high %d normal %d low %d',
    (limit, share, reserved, critical, high, normal, low) => {
      expect(partitionLimit(limit, share)).toEqual({
        limit: Math.floor(limit),
        reserved,
        ceilingByClass: { critical, high, normal, low },
      });
    },
  );

  it('never lets a non-critical ceiling reach into the reserved slots', () => {
    for (let limit = 1; limit <= 600; limit++) {
      for (const share of [0, 0.05, 0.2, 0.5, 0.9]) {
        const { reserved, ceilingByClass } = partitionLimit(limit, share);
        expect(ceilingByClass.high).toBeLessThanOrEqual(limit - reserved);
        expect(ceilingByClass.normal).toBeLessThanOrEqual(ceilingByClass.high);
        expect(ceilingByClass.low).toBeLessThanOrEqual(ceilingByClass.normal);
        expect(ceilingByClass.low).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it.each([
    [{ high: 1, normal: 0.85, low: 0.9 }, 'classShares.low'],
    [{ high: 0, normal: 0, low: 0 }, 'classShares.high'],
    [{ high: 1.5, normal: 1, low: 1 }, 'classShares.high'],
  ])('rejects shares %j', (shares, option) => {
    let caught: unknown;
    try {
      validateClassShares(shares);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && caught.option).toBe(option);
  });
});
