import { roomControlOf } from '../../../lambda/waiting-room-controller/room-control';

const stored = {
  rate: {
    ratePerSecond: 30,
    lastIncreaseAtMs: 1_000,
    lastDecreaseAtMs: 2_000,
    estimateRatePerSecond: 30,
    measuringSinceMs: 0,
    firstMeasuredAtMs: 0,
  },
};

describe('roomControlOf', () => {
  it('keeps the rate memory as stored', () => {
    expect(roomControlOf(stored, 10)).toEqual(stored);
  });

  it('reads a record from before the estimate', () => {
    const old = { rate: { ratePerSecond: 30, lastIncreaseAtMs: 1_000, lastDecreaseAtMs: 2_000 } };
    expect(roomControlOf(old, 10)).toEqual(old);
  });

  it.each([
    ['a negative first-measurement time', { rate: { ...stored.rate, firstMeasuredAtMs: -1 } }],
    ['an estimate rate that is not a number', { rate: { ...stored.rate, estimateRatePerSecond: '5' } }],
    ['a field it does not know', { rate: { ...stored.rate, surprise: 1 } }],
    ['no rate memory', {}],
    ['not an object', 'rate'],
  ])('starts fresh at the given rate from %s rather than trusting it', (_name, malformed) => {
    expect(roomControlOf(malformed, 10).rate).toEqual({
      ratePerSecond: 10,
      lastIncreaseAtMs: 0,
      lastDecreaseAtMs: 0,
      estimateRatePerSecond: 10,
      measuringSinceMs: 0,
      firstMeasuredAtMs: 0,
    });
  });
});
