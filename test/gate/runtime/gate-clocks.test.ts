/**
 * The gate reads two clocks: intervals (latencies, rate limits, the drain) on the monotonic one, and
 * times other machines read or wrote (EMF timestamps, the app's deadline, token expiry) on the wall
 * clock. Here they disagree by hours, as after a VM pause: each value must follow its own clock.
 * Real gate over HTTP on port 0, in front of a small app that echoes what it received.
 */
import { createServer, type Server } from 'node:http';
import { SALEDAY_DEADLINE_HEADER, SALEDAY_USER_HEADER } from '../../../contracts/request-headers';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { signHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import type { Clock } from '../../../guard/clock';
import { FakeClock } from '../../support/fake-clock';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { testConfig } from '../proxy/fixtures/test-config';

const HOUR = 3_600_000;
const ECHO_TIMEOUT_MS = 1500;
const SECRET = 'gate-clocks-secret-0123456789';

interface EmfRecord {
  _aws: { Timestamp: number };
  [name: string]: unknown;
}

/** The app: answers /api/echo with the headers it received, after `hold` (a test moves a clock or waits in it). */
interface EchoApp {
  url: string;
  hold: () => Promise<void> | void;
  close(): Promise<void>;
}

async function startEchoApp(): Promise<EchoApp> {
  const app: EchoApp = { url: '', hold: () => undefined, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    // The gate's readiness probes come here too: only the echo route is held.
    const held = req.url?.startsWith('/api/echo') ? app.hold() : undefined;
    void Promise.resolve(held).then(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ headers: req.headers }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  app.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  app.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return app;
}

const http = createTestHttpClient();
let app: EchoApp;
const emf: string[] = [];
const gates: StartedGate[] = [];

beforeAll(async () => {
  app = await startEchoApp();
});

beforeEach(() => {
  app.hold = () => undefined;
  emf.length = 0;
});

afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
  await Promise.all(gates.map((g) => g.close()));
  await http.close();
  await app.close();
});

/** A gate whose echo route allows 2 requests per key, then one more per second of the monotonic clock. */
async function gateWith(
  clocks: { clock?: Clock; wallClock?: Clock },
  identity: Record<string, unknown> = { header: 'x-user-id', proof: 'none' },
): Promise<StartedGate> {
  const config = testConfig((raw) => {
    raw.identity = { trustedProxyHops: 1, ...identity };
    raw.routes.unshift({
      name: 'echo',
      path: '/api/echo',
      methods: ['GET'],
      priority: 'high',
      rateLimit: { algorithm: 'token-bucket', capacity: 2, refillPerSecond: 1 },
      timeoutMs: ECHO_TIMEOUT_MS,
    });
  });
  const gate = await startGate({
    config,
    upstream: app.url,
    port: 0,
    logger: silentLogger,
    metricsSink: (line) => emf.push(line),
    // Only close() flushes: every record then comes from one known moment.
    metricsIntervalMs: 3_600_000,
    env: { SALEDAY_IDENTITY_SECRET: SECRET },
    timeouts: { drainTimeoutMs: 5_000 },
    ...clocks,
  });
  gates.push(gate);
  return gate;
}

const echo = (gate: StartedGate, headers: Record<string, string> = { 'x-user-id': 'alice' }) =>
  http.get(`${gate.url}/api/echo`, headers);
const seen = async (gate: StartedGate, headers?: Record<string, string>) =>
  (await echo(gate, headers)).json<{ headers: Record<string, string> }>().headers;
const records = () => emf.map((line) => JSON.parse(line) as EmfRecord);

/** A monotonic clock five hours behind the wall clock: what a VM pause leaves behind. */
function pausedClocks(): { clock: FakeClock; wallClock: FakeClock } {
  return { clock: new FakeClock(1_700_000_000_000), wallClock: new FakeClock(1_700_000_000_000 + 5 * HOUR) };
}

describe('a gate whose monotonic clock lags the wall clock by hours', () => {
  it('stamps every EMF record and its start time with the wall clock, and times latency on the monotonic one', async () => {
    const { clock, wallClock } = pausedClocks();
    const gate = await gateWith({ clock, wallClock });
    app.hold = () => clock.advance(250);
    expect((await echo(gate)).status).toBe(200);
    expect(gate.gate.metrics().since).toBe(new Date(wallClock.now()).toISOString());
    await gate.close();
    expect(records().length).toBeGreaterThan(0);
    expect(records().map((r) => r._aws.Timestamp)).toEqual(records().map(() => wallClock.now()));
    expect(records().find((r) => r.PriorityClass === 'high')?.LatencyP99).toBe(250);
  });

  it('tells the app its deadline in wall time', async () => {
    const { clock, wallClock } = pausedClocks();
    const gate = await gateWith({ clock, wallClock });
    expect((await seen(gate))[SALEDAY_DEADLINE_HEADER]).toBe(String(wallClock.now() + ECHO_TIMEOUT_MS));
  });

  it('checks a token’s expiry on the wall clock, as its issuer signed it', async () => {
    const { clock, wallClock } = pausedClocks();
    const gate = await gateWith({ clock, wallClock }, { header: 'authorization', proof: 'jwt' });
    const token = (sub: string, expiresInMs: number) =>
      `Bearer ${signHs256Jwt({ sub, exp: Math.floor((wallClock.now() + expiresInMs) / 1000) }, Buffer.from(SECRET))}`;
    expect((await seen(gate, { authorization: token('fresh', 60_000) }))[SALEDAY_USER_HEADER]).toBe('u:fresh');
    // Expired a minute ago by the wall clock, hours ahead by the lagging monotonic one.
    const stale = await seen(gate, { authorization: token('stale', -60_000) });
    expect(stale[SALEDAY_USER_HEADER]).toBe('ip:127.0.0.1');
  });

  it('refills its rate limits with the monotonic clock, whatever the wall clock does', async () => {
    const { clock, wallClock } = pausedClocks();
    const gate = await gateWith({ clock, wallClock });
    const statuses = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await echo(gate)).status);
      return out;
    };
    expect(await statuses(3)).toEqual([200, 200, 429]);
    wallClock.advance(HOUR);
    expect(await statuses(1)).toEqual([429]);
    clock.advance(1_000);
    expect(await statuses(1)).toEqual([200]);
  });
});

describe('a gate given one fake clock', () => {
  it('reads it for wall time too, so a test moves every time the gate reads', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const gate = await gateWith({ clock });
    expect((await seen(gate))[SALEDAY_DEADLINE_HEADER]).toBe(String(clock.now() + ECHO_TIMEOUT_MS));
    await gate.close();
    expect(records().map((r) => r._aws.Timestamp)).toEqual(records().map(() => clock.now()));
  });
});

describe('a gate on the real clocks, when the wall clock steps five hours ahead', () => {
  /** Date.now() from now on reads five hours later; the monotonic clock does not move with it. */
  const stepWallClock = () => {
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 5 * HOUR);
  };

  it('stamps its EMF records with the stepped wall time', async () => {
    const gate = await gateWith({});
    stepWallClock();
    const stepped = Date.now();
    await gate.close();
    expect(records().length).toBeGreaterThan(0);
    for (const record of records()) {
      expect(record._aws.Timestamp).toBeGreaterThanOrEqual(stepped);
      expect(record._aws.Timestamp).toBeLessThanOrEqual(Date.now());
    }
  });

  it('still drains a request in flight on close, on the monotonic clock', async () => {
    const gate = await gateWith({});
    let arrived!: () => void;
    const atApp = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    app.hold = () => {
      arrived();
      return new Promise<void>((resolve) => (release = resolve));
    };
    const answer = echo(gate);
    await atApp;
    const closing = gate.close();
    stepWallClock();
    setTimeout(() => release(), 200);
    expect((await answer).status).toBe(200);
    await closing;
  });
});
