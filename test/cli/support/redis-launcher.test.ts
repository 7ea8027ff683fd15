import { existsSync } from 'node:fs';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { ChildSupervisor } from '../../../cli/support/child-supervisor';
import {
  launchRedisServer,
  underSupervisor,
  type LaunchedRedis,
  type RedisSpawn,
} from '../../../cli/support/redis-launcher';

async function withClient<T>(
  url: string,
  use: (client: ReturnType<typeof createRedisConnection>) => Promise<T>,
): Promise<T> {
  const client = createRedisConnection({ url, commandTimeoutMs: 2000 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** The `--dir` the launcher gave the server, read back from the running server. */
async function dataDirectory(server: LaunchedRedis): Promise<string> {
  const reply = (await withClient(server.url, (c) => c.config('GET', 'dir'))) as string[];
  return reply[1]!;
}

describe('the Redis launcher', () => {
  const started: LaunchedRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });

  it('starts an empty server again on restart when it is not persistent', async () => {
    const server = await launchRedisServer();
    started.push(server);
    await withClient(server.url, (c) => c.set('k', 'v'));
    await server.kill();
    expect(server.isRunning()).toBe(false);
    await server.restart();
    expect(await withClient(server.url, (c) => c.get('k'))).toBeNull();
  });

  it('keeps the data across a kill and restart when persistent, and removes its directory on close', async () => {
    const server = await launchRedisServer({ persistent: true });
    const dir = await dataDirectory(server);
    await withClient(server.url, (c) => c.set('stock', '42'));
    const pid = server.pid;
    await server.kill();
    await server.restart();
    expect(server.pid).not.toBe(pid);
    expect(await withClient(server.url, (c) => c.get('stock'))).toBe('42');
    expect(existsSync(dir)).toBe(true);
    await server.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('starts a replica of the given primary', async () => {
    const primary = await launchRedisServer({ persistent: true });
    started.push(primary);
    const replica = await launchRedisServer({ replicaOf: primary.port });
    started.push(replica);
    await withClient(primary.url, (c) => c.set('order', 'o-1'));
    const deadline = Date.now() + 10_000;
    let seen: string | null = null;
    while (seen === null && Date.now() < deadline) {
      seen = await withClient(replica.url, (c) => c.get('order'));
      if (seen === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe('o-1');
  });

  it('starts the process through the spawn function it is given', async () => {
    const supervisor = new ChildSupervisor();
    const commands: string[] = [];
    const spawn: RedisSpawn = (command, args) => {
      commands.push(command);
      return underSupervisor(supervisor)(command, args);
    };
    try {
      const server = await launchRedisServer({ spawn });
      expect(commands).toEqual(['redis-server']);
      expect(supervisor.running().map((child) => child.pid)).toEqual([server.pid]);
      await server.close();
      expect(supervisor.running()).toEqual([]);
    } finally {
      await supervisor.close();
    }
  });

  it('refuses a port that is not a port, naming the option and the value', async () => {
    await expect(launchRedisServer({ port: 70000 })).rejects.toThrow(
      'redis-server port: got 70000; expected an integer port between 1 and 65535',
    );
    await expect(launchRedisServer({ replicaOf: 1.5 })).rejects.toThrow(
      'redis-server replicaOf: got 1.5; expected an integer port between 1 and 65535',
    );
  });
});
