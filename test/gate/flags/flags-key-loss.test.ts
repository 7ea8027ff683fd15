/**
 * Flags that recover when the cache loses them: a real redis-server, the real controller cycle
 * (CloudWatch mocked at the SDK, read through the real alarm reader), the real Redis flags store and
 * a real RedisFlagsSource as a gate holds it. The level is raised, the key is lost (deleted, or the
 * node restarted empty), the alarms calm down, one controller cycle runs, and the gate must follow.
 */
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { FLAGS_KEY } from '../../../contracts/flags/flags-document';
import { RedisFlagsSource } from '../../../guard/flags/redis-flags-source';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { readAlarmStates } from '../../../lambda/flag-controller/alarm-reader';
import { controllerSettingsFromConfig, effectsOf, policyOf } from '../../../lambda/flag-controller/controller-settings';
import { RedisFlagsStore } from '../../../lambda/flag-controller/redis-flags-store';
import { runControllerCycle, type ControllerCycleDeps } from '../../../lambda/flag-controller/run-cycle';
import { loadConfig } from '../../../contracts/config/load-config';
import { cloudWatchAlarmName } from '../../../contracts/config/names';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

const config = loadConfig(join(__dirname, '../../../saleday.config.json'));
const settings = controllerSettingsFromConfig(config);
const ERRORS = cloudWatchAlarmName(config, { name: 'alb-5xx-rate' }); // degrade 2
const POLL_MS = 200;
const T0 = Date.parse('2026-11-27T09:00:00.000Z');

const cloudWatch = mockClient(CloudWatchClient);
let inAlarm = new Set<string>();

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}

describe('flags after the cache lost them', () => {
  let server: RedisServerHandle;
  let store: RedisFlagsStore;
  let gate: RedisFlagsSource;

  /** One controller cycle as the Lambda runs it; `view` is what a warm container remembers. */
  const cycle = (atMs: number, view?: ControllerCycleDeps['lastKnown']) =>
    runControllerCycle(
      {
        readAlarms: () =>
          readAlarmStates(new CloudWatchClient({ region: 'eu-west-1' }), {
            alarmNames: settings.alarms.map((a) => a.name),
          }),
        store,
        effects: effectsOf(settings),
        policy: policyOf(settings),
        lastKnown: view,
      },
      { kind: 'schedule' },
      new Date(atMs),
    );

  beforeEach(async () => {
    cloudWatch.reset();
    inAlarm = new Set();
    cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? []).map((name) => ({
        AlarmName: name,
        StateValue: inAlarm.has(name) ? 'ALARM' : 'OK',
        StateTransitionedTimestamp: new Date(T0),
      })),
    }));
    server = await startRedisServer();
    store = new RedisFlagsStore({ url: server.url, commandTimeoutMs: 1000 });
    gate = new RedisFlagsSource({ url: server.url, pollMs: POLL_MS });
    await gate.start();
  });

  afterEach(async () => {
    await gate.close();
    await store.close();
    await server.kill();
  });

  /** Raises the level to 2 through the controller and waits for the gate to obey it. */
  const raise = async () => {
    inAlarm.add(ERRORS);
    const raised = await cycle(T0);
    expect(raised.document.level).toBe(2);
    await waitFor('the gate at level 2', () => gate.current().level === 2);
    return raised.document;
  };

  it("returns the gate to level 0 within one poll of a restarted controller's first cycle after the key was deleted", async () => {
    const raised = await raise();
    const admin = createRedisConnection({ url: server.url });
    await admin.del(FLAGS_KEY);
    admin.disconnect();
    inAlarm.clear();
    // A controller with no memory (a new container): the empty store must not read as "nothing changed".
    const rewritten = await cycle(T0 + 60_000);
    expect(rewritten).toMatchObject({ outcome: 'written', document: { level: 0 } });
    expect(rewritten.document.version).toBeGreaterThan(raised.version);
    const followedMs = await waitFor('the gate back at level 0', () => gate.current().level === 0, POLL_MS * 10);
    expect(gate.current().version).toBe(rewritten.document.version);
    process.stdout.write(`flags-key-loss: gate followed ${followedMs} ms after the rewrite (poll ${POLL_MS} ms)\n`);
  });

  it('returns the gate to level 0 after redis-server restarts empty, without restarting the gate or the controller', async () => {
    await raise();
    server = await server.restart(); // same port, empty
    inAlarm.clear();
    // The controller's connection comes back by itself; its first cycles may still find Redis starting.
    let result: Awaited<ReturnType<typeof cycle>> | undefined;
    const deadline = Date.now() + 10_000;
    while (!result && Date.now() < deadline) result = await cycle(T0 + 60_000).catch(() => undefined);
    expect(result).toMatchObject({ outcome: 'written', document: { level: 0 } });
    await waitFor('the gate back at level 0', () => gate.current().level === 0, 10_000);
    expect(gate.current().version).toBe(result!.document.version);
  });

  it('a warm controller rewrites its own view, so the gates keep obeying the level it still holds', async () => {
    const raised = await raise();
    const admin = createRedisConnection({ url: server.url });
    await admin.del(FLAGS_KEY);
    admin.disconnect();
    await waitFor('the gate sees the key missing', () => gate.status().missingPolls > 0, POLL_MS * 10);
    inAlarm.clear();
    // Within the calm period the controller still holds level 2: the rewrite says so, under a newer version.
    const rewritten = await cycle(T0 + 1000, raised);
    expect(rewritten).toMatchObject({ outcome: 'written', document: { level: 2 } });
    await waitFor(
      'the gate on the rewritten version',
      () => gate.current().version === rewritten.document.version,
      POLL_MS * 10,
    );
    // After the calm period the controller steps down, and the gate follows again.
    const calmer = await cycle(T0 + 1000 + settings.controller.calmPeriodSeconds * 1000, rewritten.document);
    expect(calmer.document.level).toBeLessThan(2);
    await waitFor('the gate steps down', () => gate.current().level === calmer.document.level, POLL_MS * 10);
  });
});
