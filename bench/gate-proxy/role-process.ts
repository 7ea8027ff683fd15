/**
 * Starts a role (a server or a load generator) as a child process running roles-main.ts, bundled
 * once with esbuild as the production container runs the gate (SALEDAY_BENCH_TSX=1: under tsx).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LoadResult } from './load-roles';
import type { RoleArgs } from './server-roles';
import { ROOT } from './settings';

const ROLES_MAIN = join(__dirname, 'roles-main.ts');

export interface Child {
  process: ChildProcess;
  pid: number;
  info: Record<string, unknown>;
  /** Resolves with the first `result` line (load roles). */
  result: Promise<LoadResult>;
  /** Resolves when a load role starts its measured window. */
  measuring: Promise<void>;
  stop(): Promise<void>;
}

/** The roles' script: this file bundled as production bundles gate/main.ts (esbuild, platform node), or this file under tsx. */
let roleScript: { nodeArgs: string[]; cleanup(): void } | undefined;
function rolesEntry(): string[] {
  if (!roleScript) {
    if (process.env.SALEDAY_BENCH_TSX) {
      roleScript = { nodeArgs: ['--import', 'tsx', __filename], cleanup: () => undefined };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'saleday-bench-'));
      const outfile = join(dir, 'gate-proxy-roles.js');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as typeof import('esbuild');
      esbuild.buildSync({
        entryPoints: [ROLES_MAIN],
        bundle: true,
        platform: 'node',
        outfile,
        external: ['esbuild'],
        logLevel: 'warning',
      });
      roleScript = { nodeArgs: [outfile], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    }
  }
  return roleScript.nodeArgs;
}

/** Removes the bundled roles script; the next role bundles it again. */
export function cleanupRoleScript(): void {
  roleScript?.cleanup();
  roleScript = undefined;
}

export function spawnRole(role: string, args: RoleArgs = {}): Promise<Child> {
  // SALEDAY_BENCH_CPU_PROF=<dir> profiles the proxies (gate, bare proxy): each writes a .cpuprofile there when stopped.
  const profileDir =
    process.env.SALEDAY_BENCH_CPU_PROF && (role === 'gate' || role === 'bare-proxy')
      ? process.env.SALEDAY_BENCH_CPU_PROF
      : undefined;
  const profileArgs = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${role}-${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...profileArgs, ...rolesEntry()], {
    cwd: ROOT,
    env: {
      ...process.env,
      SALEDAY_BENCH_ROLE: role,
      SALEDAY_BENCH_ARGS: JSON.stringify(args),
      SALEDAY_BENCH_ROOT: ROOT,
      SALEDAY_PUBLIC_DIR: process.env.SALEDAY_PUBLIC_DIR ?? join(ROOT, 'storefront', 'public'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  let resolveResult: (r: LoadResult) => void = () => undefined;
  let rejectResult: (error: Error) => void = () => undefined;
  const result = new Promise<LoadResult>((resolve, reject) => ((resolveResult = resolve), (rejectResult = reject)));
  let resolveMeasuring: () => void = () => undefined;
  let rejectMeasuring: (error: Error) => void = () => undefined;
  const measuring = new Promise<void>((resolve, reject) => ((resolveMeasuring = resolve), (rejectMeasuring = reject)));
  // Whoever waits on a role that died must hear about it rather than wait forever.
  result.catch(() => undefined);
  measuring.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"event"')) return; // EMF lines of the gate: drained, not read
      const message = JSON.parse(line) as { event: string; result?: LoadResult };
      if (message.event === 'listening') {
        resolve({
          process: child,
          pid: child.pid as number,
          info: message,
          result,
          measuring,
          stop: async () => {
            // A profiled role exits on SIGINT (writing its profile); give it a moment before SIGKILL.
            if (profileDir && child.exitCode === null) {
              child.kill('SIGINT');
              await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            }
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      } else if (message.event === 'measuring') resolveMeasuring();
      else if (message.event === 'result' && message.result) resolveResult(message.result);
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`${role} exited with ${code ?? signal}: ${stderr.join('').slice(-2000)}`);
      rejectResult(error);
      rejectMeasuring(error);
      if (code !== 0 && code !== null) reject(error);
    });
    if (role.startsWith('load')) {
      // Load roles announce nothing; they are ready at once.
      resolve({
        process: child,
        pid: child.pid as number,
        info: {},
        result,
        measuring,
        stop: async () => void (await exited),
      });
    }
  });
}
