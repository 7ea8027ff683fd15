import { ChildSupervisor } from '../../../../cli/support/child-supervisor';
import { chooseRedis, describeRedis } from '../../../../cli/rehearse/fleet/redis-choice';

describe('chooseRedis with our own redis-servers', () => {
  const supervisor = new ChildSupervisor();
  afterAll(() => supervisor.close());

  it('starts a primary and a replica behind a failover relay by default', async () => {
    const choice = await chooseRedis({ supervisor });
    try {
      expect(choice.kind).toBe('failover');
      if (choice.kind !== 'failover') return;
      expect(choice.url).toBe(`redis://127.0.0.1:${choice.pair.relay.port}`);
      expect(describeRedis(choice)).toMatch(
        /^local redis-server on port \d+ \(primary\) and port \d+ \(replica\) behind a failover relay on port \d+$/,
      );
    } finally {
      if (choice.kind === 'failover') await choice.pair.close();
    }
  });

  it('starts one server, killed and restarted for the outage, with --scenario restart', async () => {
    const choice = await chooseRedis({ supervisor, scenario: 'restart' });
    try {
      expect(choice.kind).toBe('local');
      expect(describeRedis(choice)).toMatch(/^local redis-server on port \d+$/);
    } finally {
      if (choice.kind === 'local') await choice.server.close();
    }
  });
});
