/**
 * Runs the rehearsal's child processes (redis-server, gates, storefronts) and guarantees none
 * outlives the rehearsal: each child leads its own process group (so a wrapper and whatever it
 * starts go together), and every group is stopped on a normal end, on an error, and on
 * Ctrl-C / SIGTERM / SIGHUP (SIGTERM to the group, SIGKILL after a grace period), with a last
 * synchronous SIGKILL from the 'exit' hook for anything still standing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  /** Shown in errors and logs, e.g. `gate-1`. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  onStdoutLine?(line: string): void;
  onStderrLine?(line: string): void;
  /** Append the child's stderr (its log) to this file. */
  logFile?: string;
}

export class ChildProcessError extends Error {
  readonly code = 'SALEDAY_CHILD_PROCESS';
  constructor(
    readonly childName: string,
    message: string,
    readonly logTail: readonly string[] = [],
  ) {
    super(`${childName}: ${message}${logTail.length > 0 ? `\n  last log lines:\n    ${logTail.join('\n    ')}` : ''}`);
    this.name = 'ChildProcessError';
  }
}

export function isChildProcessError(error: unknown): error is ChildProcessError {
  return error instanceof ChildProcessError;
}

const LOG_TAIL_LINES = 20;

/** The signals that stop a supervised run, and their numbers (the shell's exit code is 128 + n). */
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

/** What a shell reports for a process stopped by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 1);
}

export class SupervisedChild {
  readonly pid: number;
  /** Resolves when the child process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly tail: string[] = [];
  private readonly lineWaiters = new Set<(line: string) => void>();
  private log: WriteStream | undefined;
  private running = true;

  constructor(
    readonly spec: ChildSpec,
    readonly process: ChildProcess,
  ) {
    if (process.pid === undefined) throw new ChildProcessError(spec.name, `could not start ${spec.command}`);
    this.pid = process.pid;
    this.log = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.running = false;
        resolve({ code, signal });
      });
    });
    if (process.stdout) {
      createInterface({ input: process.stdout }).on('line', (line) => {
        spec.onStdoutLine?.(line);
        for (const waiter of [...this.lineWaiters]) waiter(line);
      });
    }
    if (process.stderr) {
      createInterface({ input: process.stderr }).on('line', (line) => {
        this.tail.push(line);
        if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
        this.log?.write(`${line}\n`);
        spec.onStderrLine?.(line);
      });
    }
    void this.exited.then(() => {
      this.log?.end();
      this.log = undefined;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  isRunning(): boolean {
    return this.running;
  }

  logTail(): string[] {
    return [...this.tail];
  }

  /** Waits for a stdout line that `match` turns into a value; fails if the child exits or time runs out. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          finish(() => reject(new ChildProcessError(this.name, `not ready within ${timeoutMs} ms`, this.logTail()))),
        timeoutMs,
      );
      timer.unref();
      const onLine = (line: string) => {
        const value = match(line);
        if (value !== undefined) finish(() => resolve(value));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.lineWaiters.delete(onLine);
        settle();
      };
      this.lineWaiters.add(onLine);
      void this.exited.then(({ code, signal }) =>
        finish(() =>
          reject(
            new ChildProcessError(
              this.name,
              `exited (${signal ?? `code ${code}`}) before it was ready`,
              this.logTail(),
            ),
          ),
        ),
      );
    });
  }

  /** Sends `signal` to the child's whole process group; false when it is already gone. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      try {
        this.process.kill(signal);
        return true;
      } catch {
        return false;
      }
    }
  }

  /** SIGTERM to the group, SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    timer.unref();
    await this.exited;
    clearTimeout(timer);
    // The leader may have exited while something it started lingers in the group.
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // the group is empty: nothing left to stop
    }
  }

  /** Abrupt, like a lost node. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signalGroup('SIGKILL');
    await this.exited;
  }
}

export class ChildSupervisor {
  private readonly children = new Set<SupervisedChild>();
  private removeHooks: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private windDownTimer: NodeJS.Timeout | undefined;

  spawn(spec: ChildSpec): SupervisedChild {
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop the group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const supervised = new SupervisedChild(spec, child);
    this.children.add(supervised);
    void supervised.exited.then(() => this.children.delete(supervised));
    return supervised;
  }

  running(): SupervisedChild[] {
    return [...this.children].filter((c) => c.isRunning());
  }

  /** Stops every child still running, in parallel. Safe to call more than once. */
  async stopAll(graceMs = 3000): Promise<void> {
    this.stopping ??= Promise.all(this.running().map((child) => child.stop(graceMs))).then(() => undefined);
    await this.stopping;
    this.stopping = undefined;
  }

  /** Synchronous last resort (the 'exit' hook cannot wait): SIGKILL to every group still running. */
  killAllNow(): void {
    for (const child of this.running()) child.signalGroup('SIGKILL');
  }

  /**
   * Stops the children when the process is told to stop. `onSignal` runs first (to stop traffic,
   * say); then the children are stopped and the process exits with 128 + the signal number.
   *
   * When `onSignal` returns true, its owner takes the shutdown over (to write what it has, say): it
   * stops the children with close() and sets the exit code itself. Should it not close() within
   * `windDownLimitMs` (a hung step), the supervisor kills the children and exits anyway.
   * Either way a second signal kills every child and exits at once.
   */
  installShutdownHooks(onSignal?: (signal: NodeJS.Signals) => boolean | void, windDownLimitMs = 15_000): void {
    if (this.removeHooks) return;
    let signalled = false;
    const onStopSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        // A second Ctrl-C: no more waiting.
        this.killAllNow();
        process.exit(signalExitCode(signal));
      }
      signalled = true;
      let ownerWindsDown = false;
      try {
        ownerWindsDown = onSignal?.(signal) === true;
      } finally {
        if (ownerWindsDown) {
          this.windDownTimer = setTimeout(() => {
            this.killAllNow();
            process.exit(signalExitCode(signal));
          }, windDownLimitMs);
          this.windDownTimer.unref();
        } else {
          void this.stopAll(1500).finally(() => process.exit(signalExitCode(signal)));
        }
      }
    };
    const onExit = () => this.killAllNow();
    const signals = Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[];
    for (const signal of signals) process.on(signal, onStopSignal);
    process.on('exit', onExit);
    this.removeHooks = () => {
      for (const signal of signals) process.off(signal, onStopSignal);
      process.off('exit', onExit);
    };
  }

  /** Stops every child and removes the hooks. */
  async close(): Promise<void> {
    await this.stopAll();
    clearTimeout(this.windDownTimer);
    this.removeHooks?.();
    this.removeHooks = undefined;
  }
}
