import { Command } from 'commander';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFor, registerPlanCommand, resolveTaskCapacity, writePlanToConfig } from '../../../cli/commands/plan';
import { writeLoadtestResult, type LoadtestResult } from '../../../cli/loadtest/loadtest-result';
import { loadConfig } from '../../../lib/config/load-config';

const EXAMPLE = join(__dirname, '../../../saleday.config.json');

function loadtestResult(capacityRps: number): LoadtestResult {
  return {
    url: 'http://127.0.0.1:1',
    measuredAt: '2026-11-27T09:00:00.000Z',
    sla: { p99LatencyMs: 800, errorRate: 0.01 },
    steps: [{ rate: capacityRps || 50, achievedRps: capacityRps, p50: 2, p90: 5, p99: 9, max: 12, errorRate: 0, pass: capacityRps > 0 }],
    capacityRps,
  };
}

describe('saleday plan', () => {
  let dir: string;
  let configFile: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'saleday-plan-'));
    configFile = join(dir, 'saleday.config.json');
    copyFileSync(EXAMPLE, configFile);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]): Promise<string> {
    const program = new Command('saleday').option('-c, --config <file>').exitOverride().configureOutput({ writeErr: () => undefined });
    registerPlanCommand(program);
    let out = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync(['node', 'saleday', '--config', configFile, 'plan', ...args], { from: 'node' });
    } finally {
      write.mockRestore();
    }
    return out;
  }

  it('prints a readable table of the plan', async () => {
    const out = await run(['--task-capacity', '400']);
    expect(out).toMatch(/Expected visitors\s+20,500/);
    expect(out).toMatch(/Planned tasks\s+11/);
    expect(out).toMatch(/Cache node\s+cache\.m7g\.large × 2/);
    expect(out).toMatch(/Cost \/ hour at peak\s+\$\d+\.\d\d\s+prices as of 2026-11-01/);
  });

  it('prints JSON with --json, with every flag applied', async () => {
    const out = await run(['--task-capacity', '400', '--followers', '1000000', '--registered', '0', '--impressions', '0', '--headroom', '3', '--edge-share', '0.5', '--json']);
    const plan = JSON.parse(out);
    expect(plan.visitors).toBeCloseTo(20_000);
    expect(plan.fleetRequestsPerSecond).toBeCloseTo(1_000);
    expect(plan.tasks).toBe(Math.ceil((1_000 * 3) / 400));
    expect(plan.assumptions).toMatchObject({ headroom: 3, edgeAbsorbedShare: 0.5 });
  });

  it('rejects absurd inputs by name', async () => {
    await expect(run(['--task-capacity', '400', '--followers', '-5'])).rejects.toThrow(/audience\.socialFollowers: got -5/);
    await expect(run(['--task-capacity', '0'])).rejects.toThrow(/taskCapacityRps: got 0/);
    await expect(run(['--task-capacity', '400', '--follower-share', '2'])).rejects.toThrow(/followerShowUpShare: got 2/);
    await expect(run(['--task-capacity', '400', '--headroom', '2'])).rejects.toThrow(/headroom: got 2; expected a factor between 3 and 10/);
    await expect(run(['--task-capacity', 'many'])).rejects.toThrow(/--task-capacity: got "many"; expected a number/);
  });

  it('--write updates plan, planned/max tasks and cache node, keeping the rest of the file', async () => {
    const before = JSON.parse(readFileSync(configFile, 'utf8'));
    await run(['--task-capacity', '400', '--write']);
    const after = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(after.fleet).toEqual({ ...before.fleet, plannedTasks: 11, maxTasks: 17 });
    expect(after.cache).toEqual({ ...before.cache, nodeType: 'cache.m7g.large' });
    expect(after.plan).toMatchObject({ tasks: 11, taskCapacityRps: 400, headroom: 5, cacheNodeType: 'cache.m7g.large', peakRequestsPerSecond: 2050, fleetRequestsPerSecond: 820 });
    const { fleet: _f, cache: _c, plan: _p, ...rest } = after;
    const { fleet: _bf, cache: _bc, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(readFileSync(configFile, 'utf8')).toMatch(/^{\n {2}"\$schema"/);
    // What was written is a valid config the other commands can load.
    expect(loadConfig(configFile).fleet.plannedTasks).toBe(11);
  });

  it('--write refuses to write a config the schema rejects, leaving the file untouched', () => {
    const raw = JSON.parse(readFileSync(configFile, 'utf8'));
    raw.fleet.baselineTasks = 30;
    writeFileSync(configFile, JSON.stringify(raw));
    const text = readFileSync(configFile, 'utf8');
    const plan = planFor({ ...loadConfig(EXAMPLE) }, { taskCapacity: 400 });
    // A plan computed for baseline 2 (11 tasks) no longer fits a fleet whose baseline is 30.
    expect(() => writePlanToConfig(configFile, plan, new Date('2026-11-27T09:00:00Z'))).toThrow(/fleet\.plannedTasks: got 11; expected at least baselineTasks \(30\)/);
    expect(readFileSync(configFile, 'utf8')).toBe(text);
  });
});

describe('resolveTaskCapacity', () => {
  const config = loadConfig(EXAMPLE);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'saleday-capacity-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers --task-capacity, then --loadtest-result, then ./loadtest-result.json, then the last plan', () => {
    writeLoadtestResult(join(dir, 'loadtest-result.json'), loadtestResult(321));
    writeLoadtestResult(join(dir, 'other.json'), loadtestResult(123));
    expect(resolveTaskCapacity(config, { taskCapacity: 50, loadtestResult: join(dir, 'other.json') }, dir)).toBe(50);
    expect(resolveTaskCapacity(config, { loadtestResult: join(dir, 'other.json') }, dir)).toBe(123);
    expect(resolveTaskCapacity(config, {}, dir)).toBe(321);
    const planned = { ...config, plan: { computedAt: 'x', peakRequestsPerSecond: 1, fleetRequestsPerSecond: 1, taskCapacityRps: 77, headroom: 5, tasks: 2, cacheNodeType: 'cache.r7g.large', costPerHourUsd: 1 } };
    expect(resolveTaskCapacity(planned, {}, join(dir, 'empty'))).toBe(77);
  });

  it('explains what to do when no capacity is known, or the load test found none', () => {
    expect(() => resolveTaskCapacity(config, {}, dir)).toThrow(/run `saleday loadtest` first .* or pass --task-capacity/);
    writeLoadtestResult(join(dir, 'loadtest-result.json'), loadtestResult(0));
    expect(() => resolveTaskCapacity(config, {}, dir)).toThrow(/found no rate within the SLA/);
    writeFileSync(join(dir, 'bad.json'), '{"url": 1}');
    expect(() => resolveTaskCapacity(config, { loadtestResult: join(dir, 'bad.json') }, dir)).toThrow(/Cannot use the load-test result .*bad\.json: url/);
  });
});
