/**
 * A redis-server the rehearsal runs itself, on a free loopback port, under the child supervisor.
 * It keeps an append-only file (fsync on every write) in a private directory, so killing it and
 * starting it again on the same port behaves like an ElastiCache failover to a replica: a gap in
 * service, then the same data (stock and orders survive; the oversell check stays meaningful).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildSupervisor, SupervisedChild } from './child-supervisor';

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class LocalRedisServer {
  private child: SupervisedChild | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'saleday-rehearsal-redis-'));
  /** Ctrl-C ends the process without close(): the data directory goes anyway. */
  private readonly removeDir = () => rmSync(this.dir, { recursive: true, force: true });

  private constructor(
    private readonly supervisor: ChildSupervisor,
    readonly port: number,
  ) {
    process.once('exit', this.removeDir);
  }

  static async start(supervisor: ChildSupervisor, port?: number): Promise<LocalRedisServer> {
    const server = new LocalRedisServer(supervisor, port ?? (await findFreePort()));
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.isRunning() ? this.child.pid : undefined;
  }

  isRunning(): boolean {
    return this.child?.isRunning() ?? false;
  }

  /** SIGKILL: as abrupt as a lost node. */
  async kill(): Promise<void> {
    await this.child?.kill();
  }

  /** Starts it again on the same port, with the data it had. */
  async restart(): Promise<void> {
    if (this.child?.isRunning()) await this.child.kill();
    await this.launch();
  }

  async close(): Promise<void> {
    await this.child?.stop(1000);
    process.off('exit', this.removeDir);
    this.removeDir();
  }

  private async launch(): Promise<void> {
    this.child = this.supervisor.spawn({
      name: 'redis-server',
      command: 'redis-server',
      args: [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--save', '',
        '--appendonly', 'yes',
        '--appendfsync', 'always',
        '--protected-mode', 'no',
        '--loglevel', 'warning',
      ],
    });
    await waitForPort(this.port, 5000, () => this.child?.isRunning() ?? false);
  }
}

async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
}
