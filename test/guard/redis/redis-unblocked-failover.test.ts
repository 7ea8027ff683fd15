/**
 * A demotion while a command is blocked on the connection (a storefront's WAIT after a checkout
 * write): the node answers the blocked command UNBLOCKED and closes the connection, so the commands
 * pipelined behind it never ran. retryAcrossFailover runs them again on the new primary.
 */
import { FailoverRelay } from '../../../cli/rehearse/fleet/failover-relay';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { retryAcrossFailover } from '../../../guard/redis/redis-reconnect';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

describe('a command queued behind a blocked one when the node is demoted', () => {
  let oldPrimary: RedisServerHandle;
  let newPrimary: RedisServerHandle;
  let relay: FailoverRelay;

  beforeAll(async () => {
    oldPrimary = await startRedisServer();
    newPrimary = await startRedisServer();
    relay = await FailoverRelay.start(oldPrimary.port);
  });

  afterAll(async () => {
    await relay.close();
    await oldPrimary.kill();
    await newPrimary.kill();
  });

  it('runs once, on the new primary, instead of failing with the closed connection', async () => {
    const logs: string[] = [];
    const client = createRedisConnection({
      url: relay.url,
      connectionName: 'saleday-test',
      failFast: true,
      commandTimeoutMs: 10_000,
      log: (message) => logs.push(message),
    });
    const admin = createRedisConnection({ url: oldPrimary.url });
    const newAdmin = createRedisConnection({ url: newPrimary.url });
    try {
      if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
      // No replica will ever acknowledge: the WAIT blocks until the demotion unblocks it.
      const blocked = client.wait(1, 60_000).then(
        () => 'answered',
        (error: Error) => error.message,
      );
      const queued = retryAcrossFailover(client, () => client.incr('queued-behind-wait'));
      while (!/^blocked_clients:1/m.test(await admin.info('clients')))
        await new Promise((resolve) => setImmediate(resolve));

      relay.retarget(newPrimary.port);
      await admin.call('REPLICAOF', '127.0.0.1', String(newPrimary.port));

      expect(await blocked).toMatch(/^UNBLOCKED .*master -> replica/);
      expect(await queued).toBe(1);
      expect(await newAdmin.get('queued-behind-wait')).toBe('1');
      expect(logs).toEqual([
        expect.stringMatching(/^redis saleday-test: UNBLOCKED reply, the node is a replica now .*READONLY/),
      ]);
    } finally {
      client.disconnect();
      admin.disconnect();
      newAdmin.disconnect();
    }
  });
});
