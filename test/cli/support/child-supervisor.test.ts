import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ChildSupervisor, isChildProcessError } from '../../../cli/support/child-supervisor';
import { eventually, processAlive } from '../../support/process-table';

/** The fixture parent, and the pids of its children and grandchildren once they all run. */
async function startSupervisedParent(
  args: string[] = [],
): Promise<{ parent: ChildProcess; all: number[]; nextLine: () => Promise<string> }> {
  const parent = spawn(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, 'fixtures/supervised-parent.ts'), ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const next = await lines.next();
    if (next.done) throw new Error(`parent exited early (${parent.exitCode})`);
    return next.value;
  };
  const { children, grandchildren } = JSON.parse(await nextLine()) as { children: number[]; grandchildren: number[] };
  const all = [...children, ...grandchildren];
  expect(all).toHaveLength(4);
  expect(all.every(processAlive)).toBe(true);
  return { parent, all, nextLine };
}

describe('ChildSupervisor', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops every child and grandchild when its process gets %s',
    async (signal) => {
      const { parent, all } = await startSupervisedParent();

      const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
      parent.kill(signal);
      expect(await exited).toBe(signal === 'SIGTERM' ? 143 : 130);
      await eventually(() => all.every((pid) => !processAlive(pid)));
    },
    30_000,
  );

  it('leaves the shutdown to an owner that takes the signal over: it stops the children and exits its own way', async () => {
    const { parent, all, nextLine } = await startSupervisedParent(['owner-closes']);
    const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
    parent.kill('SIGINT');
    expect(await nextLine()).toBe('winding down');
    // 7 is the owner's code: the supervisor did not exit with 130 behind its back.
    expect(await exited).toBe(7);
    await eventually(() => all.every((pid) => !processAlive(pid)));
  }, 30_000);

  it.each([
    { stop: 'a second Ctrl-C', args: ['owner-hangs', '60000'], second: true },
    { stop: 'the wind-down limit', args: ['owner-hangs', '300'], second: false },
  ])(
    'kills every child and exits 130 on $stop when the owner does not finish',
    async ({ args, second }) => {
      const { parent, all, nextLine } = await startSupervisedParent(args);
      const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
      parent.kill('SIGINT');
      expect(await nextLine()).toBe('winding down');
      if (second) parent.kill('SIGINT');
      expect(await exited).toBe(130);
      await eventually(() => all.every((pid) => !processAlive(pid)));
    },
    30_000,
  );

  it('stops a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const supervisor = new ChildSupervisor();
    const stubborn = supervisor.spawn({
      name: 'stubborn',
      command: 'sh',
      args: ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"],
    });
    await stubborn.waitForLine((line) => (line === 'ready' ? true : undefined), 5000);
    await supervisor.stopAll(200);
    expect(stubborn.isRunning()).toBe(false);
    expect(await stubborn.exited).toMatchObject({ signal: 'SIGKILL' });
    await supervisor.close();
  });

  it('fails a readiness wait with the child log when the child dies first', async () => {
    const supervisor = new ChildSupervisor();
    const child = supervisor.spawn({ name: 'broken', command: 'sh', args: ['-c', 'echo "cannot bind" >&2; exit 3'] });
    const error = await child.waitForLine(() => undefined, 5000).catch((e: unknown) => e);
    expect(isChildProcessError(error)).toBe(true);
    expect((error as Error).message).toMatch(/broken: exited \(code 3\) before it was ready[\s\S]*cannot bind/);
    await supervisor.close();
  });

  it('fails a readiness wait that times out, and close() stops the child', async () => {
    const supervisor = new ChildSupervisor();
    const child = supervisor.spawn({ name: 'slow', command: 'sleep', args: ['30'] });
    await expect(child.waitForLine(() => undefined, 100)).rejects.toThrow('slow: not ready within 100 ms');
    expect(supervisor.running()).toHaveLength(1);
    await supervisor.close();
    expect(child.isRunning()).toBe(false);
    expect(processAlive(child.pid)).toBe(false);
  });
});
