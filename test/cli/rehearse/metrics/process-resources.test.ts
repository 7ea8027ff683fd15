import {
  ProcessResourceSampler,
  readProcessStat,
  resourceSample,
} from '../../../../cli/rehearse/metrics/process-resources';

describe('process resources', () => {
  it('turns CPU ticks between two samples into percent of one core, per group of processes', () => {
    const ticks = new Map([
      [10, 100],
      [11, 50],
      [20, 0],
    ]);
    const sampler = new ProcessResourceSampler((pid) =>
      ticks.has(pid) ? { cpuTicks: ticks.get(pid)!, rssBytes: 1024 * 1024 * pid } : undefined,
    );
    expect(sampler.sampleGroups([[10, 11], [20], [99]], 1_000)).toEqual([undefined, undefined, undefined]); // first sight: no rate yet
    ticks.set(10, 150); // +0.5 s of CPU
    ticks.set(11, 75); // +0.25 s
    ticks.set(20, 100); // +1 s
    expect(sampler.sampleGroups([[10, 11], [20], [99]], 2_000)).toEqual([
      { cpuPercent: 75, rssBytes: 21 * 1024 * 1024 },
      { cpuPercent: 100, rssBytes: 20 * 1024 * 1024 },
      undefined,
    ]);
  });

  it('averages tasks like the ECS service metric, in percent of the task memory', () => {
    const sample = resourceSample(
      [{ cpuPercent: 40, rssBytes: 512 * 1024 * 1024 }, { cpuPercent: 80, rssBytes: 1024 * 1024 * 1024 }, undefined],
      { cpuPercent: 12, rssBytes: 0 },
      2048,
      42,
    );
    expect(sample).toEqual({
      fleetCpuPercent: 60,
      fleetMemoryPercent: 37.5,
      cacheCpuPercent: 12,
      cacheConnections: 42,
    });
    expect(resourceSample([undefined], undefined, 2048, undefined)).toEqual({});
  });

  it('reads this very process from /proc', () => {
    const reading = readProcessStat(process.pid);
    expect(reading!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(reading!.cpuTicks).toBeGreaterThan(0);
    expect(readProcessStat(2 ** 22 + 12345)).toBeUndefined();
  });
});
