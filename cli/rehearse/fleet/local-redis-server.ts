/**
 * A redis-server the rehearsal runs itself, on a free loopback port, under the child supervisor.
 * It keeps an append-only file (fsync on every write) in a private directory, so killing it and
 * starting it again on the same port behaves like an ElastiCache failover to a replica: a gap in
 * service, then the same data (stock and orders survive; the oversell check stays meaningful).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, waitForPort } from '../../support/loopback';
import type { ChildSupervisor, SupervisedChild } from '../../support/child-supervisor';

export { findFreePort, redisServerOnPath } from '../../support/loopback';

export interface LocalRedisServerOptions {
  /** Keep an append-only file so a restart keeps the data (the rehearsal's failover). @default true */
  persistent?: boolean;
  port?: number;
}

export class LocalRedisServer {
  private child: SupervisedChild | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'saleday-rehearsal-redis-'));
  /** Ctrl-C ends the process without close(): the data directory goes anyway. */
  private readonly removeDir = () => rmSync(this.dir, { recursive: true, force: true });

  private constructor(
    private readonly supervisor: ChildSupervisor,
    readonly port: number,
    private readonly persistent: boolean,
  ) {
    process.once('exit', this.removeDir);
  }

  static async start(supervisor: ChildSupervisor, options: LocalRedisServerOptions = {}): Promise<LocalRedisServer> {
    const server = new LocalRedisServer(supervisor, options.port ?? (await findFreePort()), options.persistent ?? true);
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
        ...(this.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        '--protected-mode', 'no',
        '--loglevel', 'warning',
      ],
    });
    await waitForPort(this.port, 5000, () => this.child?.isRunning() ?? false);
  }
}
