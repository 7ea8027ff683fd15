/**
 * Starts a real redis-server on a loopback port: the one launcher the tests, the benchmarks, the
 * load test and the rehearsal share. Never a mock: the Lua scripts, TIME and pub/sub must behave as
 * on ElastiCache. A persistent server keeps an append-only file (fsync on every write) in a private
 * directory, so killing it and starting it again on the same port keeps the data, as a failover to
 * a replica would.
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildSupervisor } from './child-supervisor';
import { findFreePort, waitForPort } from './loopback';

/** A started redis-server process, whoever started it (a plain child, or the rehearsal's supervisor). */
export interface RedisProcess {
  readonly process: ChildProcess;
  isRunning(): boolean;
  /** SIGKILL; resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs: number): Promise<void>;
}

/** Starts `command` with `args`; the rehearsal passes one that runs it under its child supervisor. */
export type RedisSpawn = (command: string, args: readonly string[]) => RedisProcess;

export interface RedisLaunchOptions {
  /** @default a free loopback port */
  port?: number;
  /** Keep an append-only file so a restart keeps the data. @default false */
  persistent?: boolean;
  /** Port of a primary on 127.0.0.1 this server replicates from. @default none: a primary */
  replicaOf?: number;
  /** Start as a Redis Cluster node (its nodes file in a private directory); `redis-cli --cluster create` joins them. @default false */
  clusterNode?: boolean;
  /** How the process is started. @default a plain child process (spawnPlainChild) */
  spawn?: RedisSpawn;
  /** How long to wait for the port to accept connections. @default 5000 */
  startTimeoutMs?: number;
}

/** Private data directories still on disk; a Ctrl-C ends the process without close(), they go anyway. */
const liveDirectories = new Set<string>();
let exitHookInstalled = false;

function privateDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'saleday-redis-'));
  liveDirectories.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => liveDirectories.forEach(removeDirectory));
  }
  return dir;
}

function removeDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveDirectories.delete(dir);
}

export class LaunchedRedis {
  private current: RedisProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly args: readonly string[],
    private readonly spawn: RedisSpawn,
    private readonly startTimeoutMs: number,
    private readonly dir: string | undefined,
  ) {}

  static async launch(options: RedisLaunchOptions = {}): Promise<LaunchedRedis> {
    validatePort('port', options.port);
    validatePort('replicaOf', options.replicaOf);
    const port = options.port ?? (await findFreePort());
    // A persistent server, a replica or a cluster node writes files (the AOF, a full sync's RDB, the
    // nodes file): in a directory of its own.
    const writesFiles = options.persistent || options.replicaOf !== undefined || options.clusterNode;
    const dir = writesFiles ? privateDirectory() : undefined;
    const args = redisServerArgs(port, options, dir);
    const server = new LaunchedRedis(port, args, options.spawn ?? spawnPlainChild, options.startTimeoutMs ?? 5000, dir);
    try {
      await server.start();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The process of the server as last started. */
  get process(): ChildProcess {
    if (!this.current) throw new Error(`redis-server on port ${this.port} was never started`);
    return this.current.process;
  }

  get pid(): number | undefined {
    return this.current?.isRunning() ? this.current.process.pid : undefined;
  }

  isRunning(): boolean {
    return this.current?.isRunning() ?? false;
  }

  /** SIGKILL: as abrupt as a lost node. */
  async kill(): Promise<void> {
    await this.current?.kill();
  }

  /** Starts it again on the same port: with the data it had when persistent, empty otherwise. */
  async restart(): Promise<void> {
    if (this.current?.isRunning()) await this.current.kill();
    await this.start();
  }

  /** Stops the server and removes its private directory. */
  async close(): Promise<void> {
    await this.current?.stop(1000);
    if (this.dir) removeDirectory(this.dir);
  }

  private async start(): Promise<void> {
    const started = this.spawn('redis-server', this.args);
    this.current = started;
    await waitForPort(this.port, this.startTimeoutMs, () => started.isRunning());
  }
}

export function launchRedisServer(options: RedisLaunchOptions = {}): Promise<LaunchedRedis> {
  return LaunchedRedis.launch(options);
}

function redisServerArgs(port: number, options: RedisLaunchOptions, dir: string | undefined): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    ...(dir ? ['--dir', dir] : []),
    '--save',
    '',
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.replicaOf !== undefined ? ['--replicaof', '127.0.0.1', String(options.replicaOf)] : []),
    ...(options.clusterNode ? ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`] : []),
    '--protected-mode',
    'no',
    '--loglevel',
    'warning',
  ];
}

function validatePort(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new TypeError(`redis-server ${name}: got ${value}; expected an integer port between 1 and 65535`);
  }
}

/** redis-server as a plain child of this process (the tests and the benchmarks). */
export function spawnPlainChild(command: string, args: readonly string[]): RedisProcess {
  const child = spawnChild(command, [...args], { stdio: 'ignore' });
  let failed = false;
  child.once('error', () => {
    failed = true; // e.g. not on the PATH: waitForPort then gives up at once with a plain message
  });
  const isRunning = () => !failed && child.exitCode === null && child.signalCode === null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (!isRunning()) return;
    child.kill(name);
    await exited;
  };
  return {
    process: child,
    isRunning,
    kill: () => signal('SIGKILL'),
    stop: async (graceMs) => {
      if (!isRunning()) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      timer.unref();
      await signal('SIGTERM');
      clearTimeout(timer);
    },
  };
}

/** redis-server under a child supervisor, so no server outlives the run that started it (the rehearsal, the load test). */
export function underSupervisor(supervisor: ChildSupervisor): RedisSpawn {
  return (command, args) => supervisor.spawn({ name: 'redis-server', command, args });
}
