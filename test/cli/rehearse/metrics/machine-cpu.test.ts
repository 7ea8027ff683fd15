import { MachineCpuSampler, parseProcStat } from '../../../../cli/rehearse/metrics/machine-cpu';

const stat = (user: number, system: number, idle: number, iowait = 0) =>
  `cpu  ${user} 0 ${system} ${idle} ${iowait} 0 0 0 0 0\ncpu0 1 2 3 4\nintr 5\n`;

describe("the machine's CPU from /proc/stat", () => {
  it('reads the aggregate line: busy and total jiffies (iowait counts as idle)', () => {
    expect(parseProcStat(stat(100, 50, 800, 50))).toEqual({ busy: 150, total: 1000 });
    expect(parseProcStat('intr 5\n')).toBeUndefined();
  });

  it('gives the busy share between two readings, nothing on the first or without /proc', () => {
    const readings = [stat(100, 0, 900), stat(190, 0, 910), undefined];
    const sampler = new MachineCpuSampler(() => readings.shift());
    expect(sampler.sample()).toBeUndefined();
    expect(sampler.sample()).toBe(90); // 90 of 100 jiffies busy
    expect(sampler.sample()).toBeUndefined();
  });
});
