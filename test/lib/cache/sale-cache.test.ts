import { cacheNodeIds, replicationGroupIdFor } from '../../../lib/cache/sale-cache';

describe('cache naming', () => {
  it('derives the replication group id from the sale name', () => {
    expect(replicationGroupIdFor({ saleName: 'winter-flash' })).toBe('saleday-winter-flash');
  });

  it('keeps the id within 36 characters and never ends it with a dash', () => {
    const id = replicationGroupIdFor({ saleName: 'a-very-long-sale-name-for-the-big-one-x' });
    expect(id.length).toBeLessThanOrEqual(36);
    expect(id).not.toMatch(/-$/);
    expect(replicationGroupIdFor({ saleName: 'abcdefghijklmnopqrstuvwxyza-bcd' })).toBe(
      'saleday-abcdefghijklmnopqrstuvwxyza',
    );
  });

  it('names one node per primary and replica', () => {
    expect(
      cacheNodeIds({
        saleName: 'winter-flash',
        cache: { engine: 'valkey', nodeType: 'cache.r7g.large', replicas: 2, port: 6380 },
      }),
    ).toEqual(['saleday-winter-flash-001', 'saleday-winter-flash-002', 'saleday-winter-flash-003']);
  });

  it('names the nodes of each shard in cluster mode', () => {
    expect(
      cacheNodeIds(
        { saleName: 'winter-flash', cache: { engine: 'valkey', nodeType: 'cache.r7g.large', replicas: 1, port: 6380 } },
        2,
      ),
    ).toEqual([
      'saleday-winter-flash-0001-001',
      'saleday-winter-flash-0001-002',
      'saleday-winter-flash-0002-001',
      'saleday-winter-flash-0002-002',
    ]);
  });
});
