/**
 * The real handler (index.ts, configured through its environment) against a real private Redis
 * with AUTH, CloudWatch/SNS/Secrets Manager mocked at the SDK, fed with events shaped like the AWS
 * documentation's examples. Only Date is faked (for calm periods); Redis and its timers are real.
 */
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type Redis from 'ioredis';
import {
  FLAGS_KEY,
  openBreakers,
  parseFlagsDocument,
  type FlagsDocument,
} from '../../../contracts/flags/flags-document';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { loadConfig } from '../../../contracts/config/load-config';
import { cloudWatchAlarmName } from '../../../contracts/config/names';
import {
  controllerSettingsFromConfig,
  isControllerEnvironmentError,
} from '../../../lambda/flag-controller/controller-settings';
import type * as ControllerModule from '../../../lambda/flag-controller/index';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

const config = loadConfig(join(__dirname, '../../../saleday.config.json'));
const alarmName = (name: string) => cloudWatchAlarmName(config, { name });
const ERRORS = alarmName('alb-5xx-rate'); // degrade 2
const LATENCY = alarmName('alb-p99-latency'); // degrade 1
const PAYMENTS = alarmName('payments-failing'); // breaker payments
const AUTH_TOKEN = 'correct-horse-battery-staple';
const T0 = Date.parse('2026-11-27T09:00:00.000Z');

const cloudWatch = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const secrets = mockClient(SecretsManagerClient);
const alarmStates = new Map<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>();
const emitted: string[] = [];

let redis: RedisServerHandle;
let admin: Redis;
let controllerModule: typeof ControllerModule;
let controller: { handler: typeof ControllerModule.handler; closeController: () => Promise<void> };
let eventCounter = 0;

/** Another container of the same function (same module, so the SDK mocks apply). */
function anotherContainer(env: NodeJS.ProcessEnv = process.env) {
  const created = controllerModule.createFlagController(env);
  return { handler: created.handler, closeController: created.close };
}

/** The documented shape of a single-metric alarm's state change event. */
function alarmEvent(name: string, value: string, previous: string, atMs = Date.now()) {
  eventCounter += 1;
  const stamp = new Date(atMs).toISOString().replace('Z', '+0000');
  return {
    version: '0',
    id: `c4c1c1c9-6542-e61b-6ef0-8c4d3693${String(eventCounter).padStart(4, '0')}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: new Date(atMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'eu-west-1',
    resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`],
    detail: {
      alarmName: name,
      configuration: {
        description: 'saleday alarm',
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: { name: 'HTTPCode_Target_5XX_Count', namespace: 'AWS/ApplicationELB', dimensions: {} },
              period: 60,
              stat: 'Sum',
            },
            returnData: true,
          },
        ],
      },
      previousState: {
        reason: 'Threshold Crossed',
        reasonData: '{"version":"1.0"}',
        timestamp: stamp,
        value: previous,
      },
      state: {
        reason: 'Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold',
        reasonData: '{"version":"1.0"}',
        timestamp: stamp,
        value,
      },
    },
  };
}

function scheduledEvent(atMs = Date.now()) {
  eventCounter += 1;
  return {
    version: '0',
    id: `53dc4d37-cffa-4f76-80c9-8b7d4a4d${String(eventCounter).padStart(4, '0')}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(atMs).toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/saleday-winter-flash-tick'],
    detail: {},
  };
}

async function stored(): Promise<FlagsDocument | undefined> {
  return parseFlagsDocument(await admin.get(FLAGS_KEY));
}

function setTime(ms: number) {
  jest.setSystemTime(ms);
}

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createRedisConnection({ url: redis.url });
  await admin.config('SET', 'requirepass', AUTH_TOKEN); // the controller must really authenticate
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
  setTime(T0);

  Object.assign(process.env, {
    SALEDAY_CONTROLLER_CONFIG: JSON.stringify(controllerSettingsFromConfig(config)),
    REDIS_URL: redis.url,
    REDIS_AUTH_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:saleday-winter-flash-redis-AbCdEf',
    ALARM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:saleday-winter-flash-alarms',
    AWS_REGION: 'eu-west-1',
    POWERTOOLS_DEV: 'true', // metrics through console.log, captured below
    POWERTOOLS_METRICS_DISABLED: 'false', // dev mode would otherwise disable them
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
    emitted.push(String(line));
  });
  // Loaded after the environment is set: index.ts reads it at cold start, as in Lambda.
  controllerModule = await import('../../../lambda/flag-controller/index');
  controller = controllerModule;
});

afterAll(async () => {
  await controller.closeController();
  await controllerModule.closeController();
  await admin.quit();
  await redis.kill();
  jest.useRealTimers();
  jest.restoreAllMocks();
});

beforeEach(async () => {
  await admin.del(FLAGS_KEY);
  // A fresh container per test: a warm one remembers its last document and rewrites it into an empty store.
  if (controller !== controllerModule) await controller.closeController();
  controller = anotherContainer();
  alarmStates.clear();
  for (const alarm of config.alarms) alarmStates.set(alarmName(alarm.name), 'OK');
  emitted.length = 0;
  cloudWatch.reset();
  sns.reset();
  // Two pages, as DescribeAlarms paginates.
  cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[]; NextToken?: string }) => {
    const alarms: MetricAlarm[] = (input.AlarmNames ?? [])
      .filter((name) => alarmStates.has(name))
      .map((name) => ({
        AlarmName: name,
        StateValue: alarmStates.get(name),
        StateTransitionedTimestamp: new Date(T0),
      }));
    const half = Math.ceil(alarms.length / 2);
    return input.NextToken === undefined
      ? { MetricAlarms: alarms.slice(0, half), NextToken: 'page-2' }
      : { MetricAlarms: alarms.slice(half) };
  });
  sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ authToken: AUTH_TOKEN }) });
  setTime(T0);
});

describe('flag controller handler', () => {
  it('raises the level on an alarm event, stores and announces it', async () => {
    alarmStates.set(ERRORS, 'ALARM');
    const result = await controller.handler(alarmEvent(ERRORS, 'ALARM', 'OK'));
    expect(result).toMatchObject({ outcome: 'written', document: { version: T0, level: 2 } });
    expect(await stored()).toMatchObject({ version: T0, level: 2, reason: `level 0 → 2: alarm ${ERRORS} in ALARM` });
    const published = sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    expect(published[0].args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:saleday-winter-flash-alarms',
      Subject: 'saleday winter-flash: level 2, no breaker open',
    });
    expect(published[0].args[0].input.Message).toContain(`- level 0 → 2: alarm ${ERRORS} in ALARM`);
    // Both pages of every configured alarm were read.
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toMatchObject({
      AlarmNames: config.alarms.map((a) => alarmName(a.name)),
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('puts DegradationLevel and one BreakerOpen per dependency in EMF', async () => {
    alarmStates.set(PAYMENTS, 'ALARM');
    await controller.handler(alarmEvent(PAYMENTS, 'ALARM', 'OK'));
    const documents = emitted.map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
        },
    );
    const breaker = documents.find((d) => d.Dependency === 'payments');
    expect(breaker).toMatchObject({
      BreakerOpen: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Saleday/Controller' }] },
    });
    expect(breaker?._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(
      expect.arrayContaining(['Dependency', 'Sale', 'service']),
    );
    expect(breaker).toMatchObject({ Sale: config.saleName });
    const level = documents.find((d) => 'DegradationLevel' in d);
    expect(level).toMatchObject({ DegradationLevel: 0, OpenBreakers: 1, Sale: config.saleName });
    expect(level?._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['Sale', 'service']));
  });

  it('treats a duplicated event as a no-op: one change, one announcement', async () => {
    alarmStates.set(ERRORS, 'ALARM');
    const event = alarmEvent(ERRORS, 'ALARM', 'OK');
    await controller.handler(event);
    const again = await controller.handler(event);
    expect(again).toMatchObject({ outcome: 'unchanged', document: { level: 2 } });
    expect((await stored())?.history).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('trusts the alarms as read now over events delivered out of order', async () => {
    // The breaker's alarm fired and recovered; the ALARM event arrives after the recovery.
    const late = alarmEvent(PAYMENTS, 'ALARM', 'OK', T0 - 30_000);
    // The empty store is written at level 0 with nothing open, and nobody is told of a change.
    expect(await controller.handler(late)).toMatchObject({
      outcome: 'written',
      changes: [],
      document: { level: 0, breakers: {} },
    });
    expect(openBreakers((await stored())!)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    // The reverse: an old OK event arrives while the alarm is in ALARM again.
    alarmStates.set(PAYMENTS, 'ALARM');
    const stale = alarmEvent(PAYMENTS, 'OK', 'ALARM', T0 - 60_000);
    const result = await controller.handler(stale);
    expect(result.outcome).toBe('written');
    expect(openBreakers((await stored())!)).toEqual(['payments']);
  });

  it("ignores alarms that are not this sale's", async () => {
    const result = await controller.handler(alarmEvent('someone-else-cpu', 'ALARM', 'OK'));
    expect(result).toMatchObject({
      outcome: 'written',
      changes: [],
      document: { version: T0, level: 0, breakers: {} },
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(await controller.handler(alarmEvent('someone-else-cpu', 'ALARM', 'OK'))).toMatchObject({
      outcome: 'unchanged',
      document: { version: T0 },
    });
  });

  it.each([
    ['null', null],
    ['a string', 'ALARM'],
    ['an empty object', {}],
    ['an alarm event without detail', { ...alarmEvent(ERRORS, 'ALARM', 'OK'), detail: undefined }],
    [
      'an alarm event with an unknown state',
      { ...alarmEvent(ERRORS, 'ALARM', 'OK'), detail: { alarmName: ERRORS, state: { value: 'ON_FIRE' } } },
    ],
    ['a scheduled event from another source', { ...scheduledEvent(), source: 'my.app' }],
    ['an override without ttl', { action: 'override', level: 2, reason: 'x', actor: 'alice' }],
    ['an override with nothing to override', { action: 'override', ttlSeconds: 60, reason: 'x', actor: 'alice' }],
    [
      'an override to a level the sale does not define',
      { action: 'override', level: 7, ttlSeconds: 60, reason: 'x', actor: 'alice' },
    ],
    ['a clear without reason', { action: 'clear', actor: 'alice' }],
    ['an unknown action', { action: 'shutdown', reason: 'x', actor: 'mallory' }],
  ])('skips %s and writes nothing', async (_name, event) => {
    await admin.set(FLAGS_KEY, JSON.stringify({ ...(await seedDocument()), version: 3 }));
    const before = await admin.get(FLAGS_KEY);
    const result = await controller.handler(event);
    expect(result.outcome).toBe('skipped');
    expect((result as { problems: string[] }).problems.length).toBeGreaterThan(0);
    expect(await admin.get(FLAGS_KEY)).toBe(before);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('applies an override (capped at maxOverrideSeconds), reads it back, and clears it', async () => {
    alarmStates.set(LATENCY, 'ALARM');
    const set = await controller.handler({
      action: 'override',
      level: 3,
      ttlSeconds: 86_400,
      reason: 'checkout only during the TV spot',
      actor: 'alice',
    });
    expect(set).toMatchObject({
      outcome: 'written',
      document: {
        level: 3,
        override: {
          actor: 'alice',
          expiresAt: new Date(T0 + config.controller.maxOverrideSeconds * 1000).toISOString(),
        },
      },
    });

    const read = await controller.handler({ action: 'get' });
    expect(read).toMatchObject({ outcome: 'read', document: { level: 3, version: T0 } });

    setTime(T0 + 60_000);
    const cleared = await controller.handler({ action: 'clear', reason: 'spot over', actor: 'bob' });
    expect(cleared).toMatchObject({ outcome: 'written', document: { level: 1, override: null } });
    expect((cleared as { changes: string[] }).changes).toEqual([
      'override by alice cleared by bob: spot over',
      'level 3 → 1: override ended; the alarms ask for level 1',
    ]);
  });

  it('lets the one-minute tick expire an override and step the level down after the calm period', async () => {
    alarmStates.set(ERRORS, 'ALARM');
    await controller.handler(alarmEvent(ERRORS, 'ALARM', 'OK'));
    await controller.handler({
      action: 'override',
      breakers: { payments: true },
      ttlSeconds: 90,
      reason: 'provider maintenance',
      actor: 'alice',
    });
    alarmStates.set(ERRORS, 'OK');

    setTime(T0 + 60_000);
    expect(await controller.handler(scheduledEvent())).toMatchObject({ outcome: 'unchanged', document: { level: 2 } });
    setTime(T0 + 120_000);
    const tick = await controller.handler(scheduledEvent());
    expect(tick).toMatchObject({ outcome: 'written', document: { level: 1, override: null } });
    expect((tick as { changes: string[] }).changes).toEqual([
      'override by alice expired (provider maintenance)',
      `level 2 → 1: no alarm asked for level 2 or above for ${config.controller.calmPeriodSeconds} s`,
      'breaker payments closed: override ended; the alarms decide again',
    ]);
  });

  it('rewrites its document into an emptied store on the next tick, above the version the gates hold', async () => {
    alarmStates.set(ERRORS, 'ALARM');
    const raised = (await controller.handler(alarmEvent(ERRORS, 'ALARM', 'OK'))) as { document: FlagsDocument };
    await admin.del(FLAGS_KEY); // the node restarted empty
    setTime(T0 + 60_000);
    const tick = await controller.handler(scheduledEvent());
    expect(tick).toMatchObject({ outcome: 'written', document: { level: 2 } });
    expect((await stored())?.version).toBeGreaterThan(raised.document.version);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1); // the rewrite changes nothing for people
  });

  it("is the module's handler export (the Lambda entry point)", async () => {
    expect(await controllerModule.handler({ action: 'get' })).toMatchObject({
      outcome: 'read',
      document: { version: 0 },
    });
  });

  it('never loses an update when two controllers race', async () => {
    const other = anotherContainer();
    try {
      alarmStates.set(LATENCY, 'ALARM');
      const [a, b] = await Promise.all([
        controller.handler({
          action: 'override',
          breakers: { payments: true },
          ttlSeconds: 600,
          reason: 'payments down',
          actor: 'alice',
        }),
        other.handler({
          action: 'override',
          breakers: { recommender: true },
          ttlSeconds: 600,
          reason: 'recommender slow',
          actor: 'bob',
        }),
      ]);
      const versions = [a, b].map((r) => (r as { document: FlagsDocument }).document.version).sort();
      expect(versions).toEqual([T0, T0 + 1]);
      const final = (await stored())!;
      expect(final.version).toBe(T0 + 1);
      expect(openBreakers(final)).toEqual(['payments', 'recommender']);
      expect(final.level).toBe(1);
      expect(final.history.map((h) => h.version)).toEqual([T0 + 1, T0]);
    } finally {
      await other.closeController();
    }
  });

  it('fetches the AUTH secret once per cold start', async () => {
    secrets.resetHistory();
    const fresh = anotherContainer();
    try {
      await fresh.handler(scheduledEvent());
      await fresh.handler(scheduledEvent());
      await fresh.handler({ action: 'get' });
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(secrets.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
        SecretId: process.env.REDIS_AUTH_SECRET_ARN,
      });
    } finally {
      await fresh.closeController();
    }
  });

  it('fails at cold start on a bad environment, naming the variable', () => {
    const attempt = (env: NodeJS.ProcessEnv) => {
      try {
        anotherContainer(env);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    const broken = attempt({ ...process.env, SALEDAY_CONTROLLER_CONFIG: '{"saleName": "winter-flash"' });
    expect(isControllerEnvironmentError(broken)).toBe(true);
    expect((broken as Error).message).toMatch(/SALEDAY_CONTROLLER_CONFIG: expected JSON/);
    const wrong = attempt({
      ...process.env,
      REDIS_URL: 'http://cache:6380',
      SALEDAY_CONTROLLER_CONFIG: JSON.stringify({ saleName: 'x', alarms: [], controller: {}, degradationLevels: [] }),
    });
    expect((wrong as Error).message).toMatch(/REDIS_URL: expected redis:\/\/host:port/);
    expect((wrong as Error).message).toMatch(/SALEDAY_CONTROLLER_CONFIG\.controller\.calmPeriodSeconds/);
  });
});

/** A valid document to stand in Redis before a malformed event. */
async function seedDocument(): Promise<FlagsDocument> {
  const { initialFlags } = await import('../../../contracts/flags/flags-document');
  return { ...initialFlags(new Date(T0)), level: 1, reason: 'seed' };
}
