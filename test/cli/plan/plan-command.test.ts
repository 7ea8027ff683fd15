import { Command } from 'commander';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFor, registerPlanCommand, resolveTaskCapacity, writePlanToConfig } from '../../../cli/commands/plan';
import { writeLoadtestResult, type LoadtestResult } from '../../../cli/loadtest/loadtest-result';
import { loadConfig } from '../../../contracts/config/load-config';

const EXAMPLE = join(__dirname, '../../../saleday.config.json');

/** Before every window of the example: both are costed and scheduled. */
const BEFORE_THE_SALE = new Date('2026-11-20T12:00:00Z');

/** Runs `body` with Date (only) reading `now`, so the command sees a fixed time. */
async function at<T>(now: Date, body: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now,
    doNotFake: [
      'nextTick',
      'setImmediate',
      'setTimeout',
      'setInterval',
      'clearTimeout',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
  try {
    return await body();
  } finally {
    jest.useRealTimers();
  }
}

function loadtestResult(capacityRps: number, url = 'http://127.0.0.1:1'): LoadtestResult {
  return {
    url,
    measuredAt: '2026-11-27T09:00:00.000Z',
    sla: { p99LatencyMs: 800, errorRate: 0.01 },
    steps: [
      {
        rate: capacityRps || 50,
        achievedRps: capacityRps,
        p50: 2,
        p90: 5,
        p99: 9,
        max: 12,
        errorRate: 0,
        pass: capacityRps > 0,
      },
    ],
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

  let stderr = '';
  async function run(args: string[], now = BEFORE_THE_SALE): Promise<string> {
    const program = new Command('saleday')
      .option('-c, --config <file>')
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    registerPlanCommand(program);
    let out = '';
    stderr = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    try {
      await at(now, () =>
        program.parseAsync(['node', 'saleday', '--config', configFile, 'plan', ...args], { from: 'node' }),
      );
    } finally {
      write.mockRestore();
      writeErr.mockRestore();
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
    const out = await run([
      '--task-capacity',
      '400',
      '--followers',
      '1000000',
      '--registered',
      '0',
      '--impressions',
      '0',
      '--headroom',
      '3',
      '--edge-share',
      '0.5',
      '--json',
    ]);
    const plan = JSON.parse(out);
    expect(plan.visitors).toBeCloseTo(20_000);
    expect(plan.fleetRequestsPerSecond).toBeCloseTo(1_000);
    expect(plan.tasks).toBe(Math.ceil((1_000 * 3) / 400));
    expect(plan.assumptions).toMatchObject({ headroom: 3, edgeAbsorbedShare: 0.5 });
  });

  it('rejects absurd inputs by name', async () => {
    await expect(run(['--task-capacity', '400', '--followers', '-5'])).rejects.toThrow(
      /audience\.socialFollowers: got -5/,
    );
    await expect(run(['--task-capacity', '0'])).rejects.toThrow(/taskCapacityRps: got 0/);
    await expect(run(['--task-capacity', '400', '--follower-share', '2'])).rejects.toThrow(
      /followerShowUpShare: got 2/,
    );
    await expect(run(['--task-capacity', '400', '--headroom', '2'])).rejects.toThrow(
      /headroom: got 2; expected a factor between 3 and 10/,
    );
    await expect(run(['--task-capacity', 'many'])).rejects.toThrow(/--task-capacity: got "many"; expected a number/);
  });

  it('--write updates plan, planned tasks, request target and cache node, and no other byte of the file', async () => {
    const before = readFileSync(configFile, 'utf8');
    await run(['--task-capacity', '400', '--fargate-vcpu-quota', '1000', '--write']);
    const after = readFileSync(configFile, 'utf8');
    const plan = JSON.parse(after).plan;
    expect(plan).toMatchObject({
      tasks: 11,
      taskCapacityRps: 400,
      headroom: 5,
      cacheNodeType: 'cache.m7g.large',
      peakRequestsPerSecond: 2050,
      fleetRequestsPerSecond: 820,
    });
    // Only the changed values differ; the plan is added after the last key in the file's own indentation.
    const expected = before
      .replace('"plannedTasks": 12,', '"plannedTasks": 11,')
      .replace('"requestsPerTargetPerSecond": 100,', '"requestsPerTargetPerSecond": 220,')
      .replace(
        '"cache": { "engine": "valkey", "nodeType": "cache.r7g.large",',
        '"cache": { "engine": "valkey", "nodeType": "cache.m7g.large",',
      )
      .replace(/\n {2}}\n}\n$/, `\n  },\n  "plan": ${JSON.stringify(plan, null, 2).replace(/\n/g, '\n  ')}\n}\n`);
    expect(after).toBe(expected);
    // The one-line windows, routes and arrays are byte-identical.
    expect(after).toContain(
      '    { "name": "cyber-monday", "start": "2026-11-30T08:00", "end": "2026-11-30T23:00", "timeZone": "Europe/Paris", "warmUpMinutes": 45, "coolDownMinutes": 60 },\n',
    );
    expect(after).toContain('    { "level": 2, "shed": ["low", "normal"] },\n');
    // The ceiling is the user's: --write leaves fleet.maxTasks as written.
    expect(loadConfig(configFile).fleet).toMatchObject({
      plannedTasks: 11,
      maxTasks: 40,
      requestsPerTargetPerSecond: 220,
    });

    // A second --write replaces the plan in place, in the style it now has.
    await run(['--task-capacity', '500', '--fargate-vcpu-quota', '1000', '--write']);
    const again = readFileSync(configFile, 'utf8');
    expect(again.split('\n')).toHaveLength(after.split('\n').length);
    expect(JSON.parse(again).plan.taskCapacityRps).toBe(500);
    expect(JSON.parse(again).fleet.requestsPerTargetPerSecond).toBe(275);
  });

  describe('bounds what it writes', () => {
    const untouched = () => readFileSync(configFile, 'utf8');

    it('says a plan is over the Fargate quota, naming the AWS default when the account quota is unknown, and --write refuses it', async () => {
      const text = untouched();
      const out = await run(['--task-capacity', '400']);
      expect(out).toMatch(
        /Fargate vCPU at peak\s+40\s+max\(ceiling, planned × deployment surge\) × vCPU, of a 6 vCPU quota \(the AWS default/,
      );
      expect(out).toMatch(
        /✗ the fleet may run 40 vCPU \(max\(40 max tasks, 11 planned × 200% during a deployment\) × 1 vCPU\), over the AWS default Fargate On-Demand vCPU quota of 6 \(L-3032A538/,
      );
      expect(out).toMatch(/--write refuses this plan/);
      await expect(run(['--task-capacity', '400', '--write'])).rejects.toThrow(
        /Not written: the plan does not fit:\n {2}- the fleet may run 40 vCPU .* quota of 6/,
      );
      expect(untouched()).toBe(text);
    });

    it('counts the deployment surge of the planned tasks against the account quota', async () => {
      const out = await run(['--task-capacity', '50', '--fargate-vcpu-quota', '60', '--json']);
      const plan = JSON.parse(out);
      // 82 planned tasks: a deployment runs up to 164 at once, over the ceiling of 40 (82 > 40 is refused too).
      expect(plan.limits).toMatchObject({ vcpusNeeded: 164, fargateVcpuQuota: 60, quotaIsDefault: false });
      expect(plan.limits.violations).toEqual([
        expect.stringMatching(
          /^the plan needs 82 tasks, over the configured ceiling fleet\.maxTasks 40: raise fleet\.maxTasks/,
        ),
        expect.stringMatching(
          /^the fleet may run 164 vCPU \(max\(40 max tasks, 82 planned × 200% during a deployment\) × 1 vCPU\), over the account's Fargate On-Demand vCPU quota of 60/,
        ),
      ]);
    });

    it('refuses a plan over the configured fleet.maxTasks', async () => {
      const text = untouched();
      await expect(run(['--task-capacity', '100', '--fargate-vcpu-quota', '1000', '--write'])).rejects.toThrow(
        /the plan needs 41 tasks, over the configured ceiling fleet\.maxTasks 40/,
      );
      expect(untouched()).toBe(text);
    });

    it('refuses a plan over the ECS tasks-per-service quota', async () => {
      const raw = JSON.parse(untouched());
      Object.assign(raw.fleet, { cpu: 256, memoryMiB: 512, maxTasks: 6000 });
      writeFileSync(configFile, JSON.stringify(raw, null, 2));
      const out = await run(['--task-capacity', '400', '--fargate-vcpu-quota', '100000']);
      expect(out).toMatch(
        /✗ 6000 tasks in one service is over the ECS tasks-per-service quota of 5000 \(the AWS default\)/,
      );
    });
  });

  describe('a capacity measured on this machine', () => {
    it('is flagged when plan uses it, and --write refuses it unless --accept-local-capacity', async () => {
      const result = join(dir, 'local.json');
      writeLoadtestResult(result, loadtestResult(3000, 'http://127.0.0.1:40123'));
      const out = await run(['--loadtest-result', result, '--fargate-vcpu-quota', '1000']);
      expect(out).toMatch(
        /! the task capacity 3000 rps was measured against http:\/\/127\.0\.0\.1:40123 \(.*local\.json\): a local measurement, not a Fargate task of 1 vCPU and 2048 MiB/,
      );
      const text = readFileSync(configFile, 'utf8');
      await expect(run(['--loadtest-result', result, '--fargate-vcpu-quota', '1000', '--write'])).rejects.toThrow(
        /Not written: .*measured against http:\/\/127\.0\.0\.1:40123 \(a local measurement\): pass --accept-local-capacity/s,
      );
      expect(readFileSync(configFile, 'utf8')).toBe(text);
      await run(['--loadtest-result', result, '--fargate-vcpu-quota', '1000', '--write', '--accept-local-capacity']);
      expect(loadConfig(configFile).plan?.taskCapacityRps).toBe(3000);
    });

    it('is not flagged for a deployed task', async () => {
      const result = join(dir, 'remote.json');
      writeLoadtestResult(result, loadtestResult(400, 'http://10.0.12.7:8080'));
      const out = await run(['--loadtest-result', result, '--fargate-vcpu-quota', '1000', '--write']);
      expect(out).not.toMatch(/local measurement/);
      expect(loadConfig(configFile).fleet.requestsPerTargetPerSecond).toBe(220);
    });
  });

  it('derives the request target from the capacity and warns when the configured one is above it', async () => {
    const out = await run(['--task-capacity', '80', '--fargate-vcpu-quota', '1000']);
    expect(out).toMatch(
      /Request target per task\s+44 rps\s+capacity × 55% \(fleet\.targetCpuPercent\); 2,640\/min to the ALB/,
    );
    expect(out).toMatch(
      /! fleet\.requestsPerTargetPerSecond 100 is above the measured capacity of one task \(80 rps, --task-capacity\): --write sets it to 44/,
    );
  });

  it('leaves windows already over out of the cost, with a warning', async () => {
    const before = JSON.parse(await run(['--task-capacity', '400', '--json'], BEFORE_THE_SALE));
    expect(before.saleHours).toBeCloseTo(15 + 1.75 + 2 + 1);
    const out = await run(['--task-capacity', '400'], new Date('2026-12-02T00:00:00Z'));
    expect(out).toMatch(/! window cyber-monday is over \(its cool-down ended 2026-11-30 23:00 UTC\): not costed/);
    expect(out).not.toMatch(/window midnight-drop is over/);
    expect(out).toMatch(/Sale window cost\s+\$\d+\.\d\d\s+3\.00 h incl/);
    const json = JSON.parse(await run(['--task-capacity', '400', '--json'], new Date('2026-12-02T00:00:00Z')));
    expect(json.saleHours).toBeCloseTo(3);
    expect(stderr).toMatch(/^warning: window cyber-monday is over/m);
  });

  it('--write refuses to write a config the schema rejects, leaving the file untouched', () => {
    const raw = JSON.parse(readFileSync(configFile, 'utf8'));
    raw.fleet.baselineTasks = 30;
    writeFileSync(configFile, JSON.stringify(raw));
    const text = readFileSync(configFile, 'utf8');
    const plan = planFor({ ...loadConfig(EXAMPLE) }, { taskCapacity: 400 });
    // A plan computed for baseline 2 (11 tasks) no longer fits a fleet whose baseline is 30.
    expect(() => writePlanToConfig(configFile, plan, new Date('2026-11-27T09:00:00Z'))).toThrow(
      /fleet\.plannedTasks: got 11; expected at least baselineTasks \(30\)/,
    );
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
    const planned = {
      ...config,
      plan: {
        computedAt: 'x',
        peakRequestsPerSecond: 1,
        fleetRequestsPerSecond: 1,
        taskCapacityRps: 77,
        headroom: 5,
        tasks: 2,
        cacheNodeType: 'cache.r7g.large',
        costPerHourUsd: 1,
      },
    };
    expect(resolveTaskCapacity(planned, {}, join(dir, 'empty'))).toBe(77);
  });

  it('explains what to do when no capacity is known, or the load test found none', () => {
    expect(() => resolveTaskCapacity(config, {}, dir)).toThrow(
      /run `saleday loadtest` first .* or pass --task-capacity/,
    );
    writeLoadtestResult(join(dir, 'loadtest-result.json'), loadtestResult(0));
    expect(() => resolveTaskCapacity(config, {}, dir)).toThrow(/found no rate within the SLA/);
    writeFileSync(join(dir, 'bad.json'), '{"url": 1}');
    expect(() => resolveTaskCapacity(config, { loadtestResult: join(dir, 'bad.json') }, dir)).toThrow(
      /Cannot use the load-test result .*bad\.json: url/,
    );
  });
});
