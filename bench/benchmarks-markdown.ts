/**
 * Renders one `npm run bench` run as `docs/benchmarks.md`: when, on what, at which commit, and a
 * row per comparison. The figures live only there, so the README never quotes a run.
 */
export interface BenchRun {
  /** When the run finished. */
  finishedAt: Date;
  /** The machine: CPU model and count, memory, OS. */
  machine: string;
  /** Node.js version the benchmarks ran on. */
  node: string;
  /** The commit measured, with `+dirty` when the work tree had changes. */
  commit: string;
  /** How long the run took, in seconds. */
  durationSeconds: number;
  /** The lines the benchmarks printed: `bench <name>: <result>`. */
  lines: readonly string[];
}

const LINE = /^bench ([^:]+): (.*)$/;

export function renderBenchmarksMarkdown(run: BenchRun): string {
  const rows = run.lines.map((line) => {
    const match = LINE.exec(line);
    const [name, result] = match ? [match[1], match[2]] : ['', line];
    return `| ${escapeCell(name)} | ${escapeCell(result)} |`;
  });
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench -- --write`; do not edit by hand. Each line compares saleday with a',
    'named peer measured in the same run. These machines are shared and noisy: read the ratios and',
    'medians, and compare runs of the same machine only.',
    '',
    `- finished: ${run.finishedAt.toISOString()}`,
    `- machine: ${run.machine}`,
    `- node: ${run.node}`,
    `- commit: ${run.commit}`,
    `- duration: ${Math.round(run.durationSeconds)} s`,
    '',
    '| benchmark | result |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
