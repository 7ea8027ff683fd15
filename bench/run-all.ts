/**
 * `npm run bench`: every benchmark in one run, one after the other (never in parallel: they share
 * two cores). Each prints ratios against a named peer measured in the same run, because these
 * machines are shared and noisy: compare ratios and medians, not absolute numbers across runs.
 * `npm run bench -- rate-limit` runs only the benchmarks whose name contains the argument;
 * `--write` also writes the run to docs/benchmarks.md, the one place figures live.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, platform, arch, totalmem } from 'node:os';
import { join } from 'node:path';
import { renderBenchmarksMarkdown } from './benchmarks-markdown';

interface BenchModule {
  run(): Promise<string[]>;
}

const BENCHMARKS: Record<string, () => Promise<BenchModule>> = {
  'rate-limit': () => import('./rate-limit.bench'),
  'gate-proxy': () => import('./gate-proxy.bench'),
  'flags-propagation': () => import('./flags-propagation.bench'),
  'waiting-room-edge': () => import('./waiting-room-edge.bench'),
  'waiting-room-join': () => import('./waiting-room-join.bench'),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const filter = args.find((arg) => !arg.startsWith('--'));
  const runStarted = Date.now();
  const lines: string[] = [];
  for (const [name, load] of Object.entries(BENCHMARKS)) {
    if (filter && !name.includes(filter)) continue;
    console.error(`# ${name} …`);
    const started = Date.now();
    const result = await (await load()).run();
    for (const line of result) console.log(line);
    lines.push(...result);
    console.error(`# ${name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  if (lines.length === 0) {
    console.error(`no benchmark matches "${filter}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exitCode = 1;
    return;
  }
  if (write) writeBenchmarks(lines, (Date.now() - runStarted) / 1000);
}

function writeBenchmarks(lines: string[], durationSeconds: number): void {
  const path = join(__dirname, '..', 'docs', 'benchmarks.md');
  const markdown = renderBenchmarksMarkdown({
    finishedAt: new Date(),
    machine: describeMachine(),
    node: process.version,
    commit: currentCommit(),
    durationSeconds,
    lines,
  });
  writeFileSync(path, markdown);
  console.error(`# wrote ${path}`);
}

function describeMachine(): string {
  const cores = cpus();
  const gib = Math.round(totalmem() / 2 ** 30);
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${gib} GiB, ${platform()} ${arch()}`;
}

function currentCommit(): string {
  const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') === '' ? '' : '+dirty'}`;
  } catch {
    return 'unknown (not a git work tree)';
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
