import { renderBenchmarksMarkdown } from '../../bench/benchmarks-markdown';

describe('renderBenchmarksMarkdown', () => {
  const run = {
    finishedAt: new Date('2026-12-04T18:00:00.000Z'),
    machine: '2 × Example CPU, 24 GiB, linux x64',
    node: 'v24.1.0',
    commit: 'abc1234+dirty',
    durationSeconds: 361.4,
    lines: [
      'bench gate-vs-bare-proxy: gate 13,139/s, ratio 0.83',
      'bench flags-propagation channel: p50 3.3ms',
      'a line | without a name',
    ],
  };

  it('states when, where and at which commit the figures were measured', () => {
    const markdown = renderBenchmarksMarkdown(run);
    expect(markdown).toContain('- finished: 2026-12-04T18:00:00.000Z');
    expect(markdown).toContain('- machine: 2 × Example CPU, 24 GiB, linux x64');
    expect(markdown).toContain('- node: v24.1.0');
    expect(markdown).toContain('- commit: abc1234+dirty');
    expect(markdown).toContain('- duration: 361 s');
  });

  it('puts each benchmark line in its own row, named and escaped', () => {
    const markdown = renderBenchmarksMarkdown(run);
    expect(markdown).toContain('| gate-vs-bare-proxy | gate 13,139/s, ratio 0.83 |');
    expect(markdown).toContain('| flags-propagation channel | p50 3.3ms |');
    expect(markdown).toContain('|  | a line \\| without a name |');
  });
});
