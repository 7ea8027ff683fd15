import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfigError } from '../../../contracts/config/config-error';
import { loadConfig, parseConfig } from '../../../contracts/config/load-config';

const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8'));

describe('the example config', () => {
  it('validates and resolves defaults', () => {
    const config = loadConfig(join(__dirname, '../../../saleday.config.json'));
    expect(config.saleName).toBe('winter-flash');
    expect(config.routes.find((r) => r.name === 'checkout')?.priority).toBe('critical');
    expect(config.gate.queue.targetDelayMs).toBe(5);
  });
});

describe('loadConfig', () => {
  it('names the file when it cannot be read', () => {
    expect(() => loadConfig('/nonexistent/saleday.config.json')).toThrow(/nonexistent.*cannot read/s);
  });
});

/** One row per validation rule: the edit to the example, and the path + expectation the error must name. */
// The edits reach into an untyped copy of the example JSON, as a person editing the file would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rules: Array<[string, (c: any) => void, RegExp]> = [
  [
    'saleName is a slug',
    (c) => (c.saleName = 'Black Friday!'),
    /saleName: got "Black Friday!"; expected a lower-case name/,
  ],
  ['region is an AWS region', (c) => (c.app.region = 'europe'), /app\.region: got "europe"; expected an AWS region/],
  ['account is 12 digits', (c) => (c.app.account = '123'), /app\.account: got "123"; expected a 12-digit/],
  [
    'domain needs a certificate',
    (c) => (c.app.domainName = 'shop.example.com'),
    /app\.certificateArn: got nothing; expected domainName and certificateArn together/,
  ],
  [
    'certificate lives in us-east-1',
    (c) =>
      Object.assign(c.app, {
        domainName: 'shop.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      }),
    /app\.certificateArn: .*us-east-1/,
  ],
  ['at least one window', (c) => (c.windows = []), /windows: got \[\]; expected at least 1 item/],
  [
    'window start is a local date-time',
    (c) => (c.windows[0].start = 'monday'),
    /windows\[0\]\.start: got "monday"; expected a local date-time/,
  ],
  [
    'window ends after it starts',
    (c) => (c.windows[0].end = '2026-11-29T08:00'),
    /windows\[0\]\.end: .*expected end to be after start/,
  ],
  [
    'window time zone is IANA',
    (c) => (c.windows[0].timeZone = 'Mars/Olympus'),
    /windows\[0\]\.timeZone: got "Mars\/Olympus"; expected an IANA time zone/,
  ],
  [
    'window names are unique',
    (c) => (c.windows[1].name = c.windows[0].name),
    /windows\[1\]\.name: got "cyber-monday"; expected a unique name/,
  ],
  [
    'sla error rate is a share',
    (c) => (c.sla.errorRate = 1.5),
    /sla\.errorRate: got 1\.5; expected a number at most 1/,
  ],
  [
    'sla p99 is positive',
    (c) => (c.sla.p99LatencyMs = 0),
    /sla\.p99LatencyMs: got 0; expected a number greater than 0/,
  ],
  ['fleet cpu is a Fargate size', (c) => (c.fleet.cpu = 300), /fleet\.cpu: got 300/],
  ['fleet memory fits the cpu', (c) => (c.fleet.memoryMiB = 999), /fleet\.memoryMiB: got 999; expected one of 2048/],
  [
    'planned tasks at least baseline',
    (c) => (c.fleet.plannedTasks = 1),
    /fleet\.plannedTasks: got 1; expected at least baselineTasks \(2\)/,
  ],
  [
    'max tasks at least planned',
    (c) => (c.fleet.maxTasks = 5),
    /fleet\.maxTasks: got 5; expected at least plannedTasks \(12\)/,
  ],
  [
    'target cpu within 10..90',
    (c) => (c.fleet.targetCpuPercent = 95),
    /fleet\.targetCpuPercent: got 95; expected a number at most 90/,
  ],
  [
    'app and gate ports differ',
    (c) => (c.fleet.appPort = 8080),
    /fleet\.appPort: got 8080; expected a port different from gatePort/,
  ],
  ['cache port is not 6379', (c) => (c.cache.port = 6379), /cache\.port: got 6379; expected a non-default port/],
  [
    'cache needs a replica for failover',
    (c) => (c.cache.replicas = 0),
    /cache\.replicas: got 0; expected a number at least 1/,
  ],
  [
    'cache node type looks like one',
    (c) => (c.cache.nodeType = 'r7g.large'),
    /cache\.nodeType: got "r7g.large"; expected an ElastiCache node type/,
  ],
  [
    'route path starts with /',
    (c) => (c.routes[0].path = 'api/checkout'),
    /routes\[0\]\.path: got "api\/checkout"; expected a path starting with \//,
  ],
  [
    'route priority is a class',
    (c) => (c.routes[0].priority = 'urgent'),
    /routes\[0\]\.priority: got "urgent"; expected one of "critical", "high", "normal" or "low"/,
  ],
  [
    'route names are unique',
    (c) => (c.routes[1].name = 'checkout'),
    /routes\[1\]\.name: got "checkout"; expected a unique name/,
  ],
  [
    'a rate-limit policy is complete',
    (c) => (c.routes[0].rateLimit = { algorithm: 'token-bucket', capacity: 5 }),
    /routes\[0\]\.rateLimit\.refillPerSecond: got nothing/,
  ],
  [
    'a rate-limit algorithm is known',
    (c) => (c.routes[0].rateLimit = { algorithm: 'fixed-window' }),
    /routes\[0\]\.rateLimit\.algorithm: got "fixed-window"/,
  ],
  [
    'some route is critical',
    (c) => (c.routes[0].priority = 'high'),
    /routes: got .*expected at least one critical route/,
  ],
  [
    'identity uses one carrier',
    (c) => (c.identity = { header: 'x-user-id', cookie: 'sid' }),
    /identity\.header: got "x-user-id"; expected exactly one of header or cookie/,
  ],
  ['identity proof is a known mode', (c) => (c.identity.proof = 'oauth'), /identity\.proof: got "oauth"/],
  ['waf limit is at least 10', (c) => (c.waf.perIpLimit = 5), /waf\.perIpLimit: got 5; expected a number at least 10/],
  ['waf window is one AWS allows', (c) => (c.waf.windowSeconds = 90), /waf\.windowSeconds: got 90/],
  [
    'alarm metric is known',
    (c) => (c.alarms[0].metric = 'disk'),
    /alarms\[0\]\.metric: got "disk"; expected one of "alb-p99-latency-ms", /,
  ],
  [
    'alarm datapoints within periods',
    (c) => (c.alarms[0].datapointsToAlarm = 9),
    /alarms\[0\]\.datapointsToAlarm: got 9; expected at most evaluationPeriods \(3\)/,
  ],
  [
    'only gate metrics are high resolution',
    (c) => (c.alarms[0].periodSeconds = 10),
    /alarms\[0\]\.periodSeconds: got 10; expected 60 or more/,
  ],
  [
    'period is 10, 30 or minutes',
    (c) => (c.alarms[7].periodSeconds = 45),
    /alarms\[7\]\.periodSeconds: got 45; expected 10, 30 or a multiple of 60/,
  ],
  [
    'degrade effect names a defined level',
    (c) => (c.alarms[0].effect = { type: 'degrade', level: 7 }),
    /alarms\[0\]\.effect\.level: got 7; expected a level defined in degradation/,
  ],
  [
    'breaker effect names a declared dependency',
    (c) => (c.alarms[0].effect = { type: 'breaker', dependency: 'shipping' }),
    /alarms\[0\]\.effect\.dependency: got "shipping"; expected a dependency some route declares/,
  ],
  [
    'dependency metric names its dependency',
    (c) => delete c.alarms[9].dependency,
    /alarms\[9\]\.dependency: got nothing; expected the dependency/,
  ],
  [
    'higher levels shed at least lower ones',
    (c) => (c.degradation[1].shed = ['normal']),
    /degradation\[1\]\.shed: .*expected level 2 to shed at least what level 1 sheds \(missing low\)/,
  ],
  [
    'critical is never shed',
    (c) => (c.degradation[0].shed = ['critical']),
    /degradation\[0\]\.shed\[0\]: got "critical"/,
  ],
  [
    'notification e-mail is an address',
    (c) => (c.notifications.email = 'oncall'),
    /notifications\.email: got "oncall"; expected an e-mail address/,
  ],
  [
    'unknown fields are refused',
    (c) => (c.fleet.taskz = 3),
    /fleet\.taskz: unknown key "taskz" in fleet; remove it or check the spelling/,
  ],
  ['pricing date is a date', (c) => (c.pricing.asOf = 'last week'), /pricing\.asOf: got "last week"/],
];

describe('config errors in plain words', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const problemsOf = (edit: (c: any) => void): string[] => {
    const config = structuredClone(example);
    edit(config);
    try {
      parseConfig(config);
    } catch (error) {
      if (isConfigError(error)) return [...error.problems];
      throw error;
    }
    throw new Error('the config was accepted');
  };

  it('says a number written as a string is a string, and what number would do', () => {
    expect(problemsOf((c) => (c.fleet.cpu = '800'))).toEqual([
      'fleet.cpu: got "800" (a string); expected a number: one of 256, 512, 1024, 2048 or 4096',
    ]);
    expect(problemsOf((c) => (c.sla.p99LatencyMs = '800'))).toEqual([
      'sla.p99LatencyMs: got "800" (a string); expected a number',
    ]);
  });

  it('names an unknown key and its parent without dumping the object', () => {
    const [problem] = problemsOf((c) => (c.gate.queue.maxWait = 5));
    expect(problem).toBe('gate.queue.maxWait: unknown key "maxWait" in gate.queue; remove it or check the spelling');
    expect(problem).not.toContain('{');
    expect(problemsOf((c) => (c.extra = true))).toEqual([
      'extra: unknown key "extra" in the top level; remove it or check the spelling',
    ]);
  });

  it('lists the options of a discriminated union at the field itself', () => {
    expect(problemsOf((c) => (c.alarms[0].effect = { type: 'page' }))).toEqual([
      'alarms[0].effect.type: got "page"; expected one of "degrade", "breaker" or "notify"',
    ]);
  });

  it('says a missing field is missing', () => {
    expect(problemsOf((c) => delete c.saleName)).toEqual(['saleName: got nothing; expected a string']);
  });
});

describe.each(rules)('config rule: %s', (_name, edit, expected) => {
  it('is refused with the path, value and expectation', () => {
    const config = structuredClone(example);
    edit(config);
    let thrown: unknown;
    try {
      parseConfig(config);
    } catch (error) {
      thrown = error;
    }
    expect(isConfigError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(expected);
  });
});
