/** Hash slots as Redis Cluster computes them, checked against the slot function ioredis itself uses. */
import fc from 'fast-check';
import { clusterSlot, hashTaggedKey } from '../../../guard/rate-limit';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- ioredis's own slot function, the reference (a transitive dependency, test only)
const referenceSlot = require('cluster-key-slot') as (key: string) => number;

describe('clusterSlot', () => {
  test.each([
    ['123456789', 12739], // the CRC16-XMODEM check value from the cluster specification
    ['{user1000}.following', clusterSlot('user1000')],
    ['foo{{bar}}zap', clusterSlot('{bar')],
    ['foo{bar}{zap}', clusterSlot('bar')],
  ])('%s → slot %d', (key, slot) => {
    expect(clusterSlot(key)).toBe(slot);
    expect(referenceSlot(key)).toBe(slot);
  });

  test('an empty tag hashes the whole key, as Redis does (cluster-key-slot differs here, and Redis is the authority)', () => {
    expect(clusterSlot('foo{}{bar}')).toBe(8363); // CRC16 of all of 'foo{}{bar}'
    expect(clusterSlot('foo{}{bar}')).not.toBe(clusterSlot('bar'));
  });

  test('agrees with the reference on arbitrary keys, including non-ASCII', () => {
    const key = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((k) => !k.includes('{}'));
    fc.assert(fc.property(key, (k) => expect(clusterSlot(k)).toBe(referenceSlot(k))));
  });

  test("all of a user key's state lands in one slot, whatever the prefix", () => {
    expect(clusterSlot(hashTaggedKey('saleday:rl:checkout', 'alice'))).toBe(
      clusterSlot(hashTaggedKey('saleday:rl:cart', 'alice')),
    );
  });
});
