/** Joining on a real Redis: one INCR per ticket, distinct numbers under concurrency, and tickets the edge function accepts. */
import Redis, { type Command } from 'ioredis';
import {
  WAITING_ROOM_PASS_COOKIE,
  WAITING_ROOM_STATE_KEY,
  WAITING_ROOM_TICKET_COOKIE,
  waitingRoomSigningKeyName,
} from '../../../contracts/waiting-room';
import {
  answerJoin,
  checkPass,
  decodeTicket,
  openedState,
  TicketIssuer,
  ticketCounterKey,
} from '../../../gate/waiting-room';
import { loadCloudFrontFunction, viewerRequest } from '../../../edge/local/cloudfront-function-runtime';
import { FUNCTION_FILE, openState } from '../../edge/waiting-room-test-room';
import { FakeClock } from '../../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

const KEY = { kid: 'k7', secret: 'a-signing-secret-of-some-length' };
const secretOf = (kid: string) => (kid === KEY.kid ? KEY.secret : undefined);
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  await redis.ping(); // connection set-up commands go before any count
});
afterAll(async () => {
  await redis.quit();
});

function issuerFor(prefix: string, clock = new FakeClock()): TicketIssuer {
  return new TicketIssuer({ store: redis, saleName: 'winter-flash', keyPrefix: prefix, signingKey: () => KEY, clock });
}

function countCommands(client: Redis): { names: string[]; restore(): void } {
  const names: string[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: Command, ...rest: unknown[]) => {
    names.push(command.name);
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
  return { names, restore: () => (client.sendCommand = original) };
}

describe('TicketIssuer on Redis', () => {
  it('issues ticket 0 first, with one INCR on a hash-tagged counter, bound to the identity and signed', async () => {
    const prefix = uniquePrefix('wr-first');
    const clock = new FakeClock(1_800_000_000_000);
    const spy = countCommands(redis);
    const issued = await issuerFor(prefix, clock).issue('ip:203.0.113.9');
    spy.restore();
    expect(spy.names).toEqual(['incr']);
    expect(ticketCounterKey('winter-flash', prefix)).toBe(`${prefix}:{wr:winter-flash}:tickets`);
    expect(await redis.get(`${prefix}:{wr:winter-flash}:tickets`)).toBe('1');
    expect(issued.ticket).toEqual(expect.objectContaining({ number: 0, issuedAtMs: 1_800_000_000_000, kid: 'k7' }));
    expect(decodeTicket(issued.cookieValue, secretOf)).toEqual({ ok: true, value: issued.ticket });
  });

  it('gives 200 concurrent joins 200 distinct numbers, and counts them for the opening', async () => {
    const issuer = issuerFor(uniquePrefix('wr-concurrent'));
    const issued = await Promise.all(Array.from({ length: 200 }, (_, i) => issuer.issue(`ip:10.0.0.${i}`)));
    expect(issued.map((t) => t.ticket.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await issuer.issuedCount()).toBe(200);
  });

  it('binds different identities to different hashes', async () => {
    const issuer = issuerFor(uniquePrefix('wr-bind'));
    const [a, b] = [await issuer.issue('u:alice'), await issuer.issue('u:bob')];
    expect(a.ticket.identityHash).not.toBe(b.ticket.identityHash);
  });

  it('refuses an empty identity and a prefix that would move the hash tag', async () => {
    await expect(issuerFor(uniquePrefix('wr-empty')).issue('')).rejects.toThrow(
      /expected the identity the gate established/,
    );
    expect(() => issuerFor('bad{prefix}')).toThrow(/expected no braces/);
  });
});

describe('join → edge → gate, end to end', () => {
  it('a joined ticket is admitted by the edge function, and the pass it gets is accepted by the gate for the same identity only', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const issuer = issuerFor(uniquePrefix('wr-e2e'), clock);
    const join = await answerJoin({
      issuer,
      identity: 'u:alice',
      next: '/drop?x=1',
      cookieHeader: undefined,
      secretOf,
    });
    expect(join.location).toBe('/drop?x=1');
    const ticketCookie = join.setCookie[0]!.split(';')[0]!.slice(`${WAITING_ROOM_TICKET_COOKIE}=`.length);

    const edge = loadCloudFrontFunction(FUNCTION_FILE, () => clock.now());
    edge.store.set(waitingRoomSigningKeyName(KEY.kid), KEY.secret);
    edge.store.set(
      WAITING_ROOM_STATE_KEY,
      JSON.stringify(openState({ keyId: KEY.kid, t0Ms: clock.now(), ratePerSecond: 5 })),
    );
    clock.advance(200);
    const answer = await edge.handler(
      viewerRequest({ uri: '/drop', query: { x: '1' }, cookies: { [WAITING_ROOM_TICKET_COOKIE]: ticketCookie } }),
    );
    expect(answer.headers['saleday-waiting-room'].value).toBe('admitted');
    const passCookie = `${WAITING_ROOM_PASS_COOKIE}=${answer.cookies[WAITING_ROOM_PASS_COOKIE].value}`;

    expect(
      checkPass({ cookieHeader: `theme=dark; ${passCookie}`, identity: 'u:alice', secretOf, nowMs: clock.now() }),
    ).toEqual(expect.objectContaining({ ok: true }));
    expect(checkPass({ cookieHeader: passCookie, identity: 'u:mallory', secretOf, nowMs: clock.now() })).toEqual({
      ok: false,
      reason: 'other-identity',
    });
  });

  it('keeps the pre-queue order secret until the opening draws it from the issued count', async () => {
    const clock = new FakeClock(1_800_000_000_000);
    const issuer = issuerFor(uniquePrefix('wr-prequeue'), clock);
    for (let i = 0; i < 3; i++) await issuer.issue(`ip:10.0.9.${i}`); // an earlier opening
    const preQueue = openState({
      preQueueUntilMs: clock.now() + 60_000,
      ratePerSecond: 0,
      preQueueStart: await issuer.issuedCount(),
    });
    for (let i = 0; i < 10; i++) await issuer.issue(`ip:10.1.0.${i}`);
    const opened = openedState(preQueue, {
      nowMs: clock.now() + 60_000,
      issuedCount: await issuer.issuedCount(),
      shuffleSeed: 'drawn-at-the-opening-0001',
      ratePerSecond: 2,
    });
    expect(opened).toEqual(
      expect.objectContaining({
        preQueueStart: 3,
        preQueueSize: 10,
        t0Ms: clock.now() + 60_000,
        ticket0: 3,
        ratePerSecond: 2,
        open: true,
      }),
    );
  });
});
