/**
 * The local edge end to end over real HTTP: the edge function in front of an upstream that joins
 * visitors with the gate's real ticket issuance on Redis. A visitor is sent to the join, waits,
 * is admitted with a pass, then reaches the shop.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import {
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_STATE_KEY,
  waitingRoomSigningKeyName,
} from '../../contracts/waiting-room';
import { startLocalEdge, type LocalEdge } from '../../edge/local/local-edge';
import { answerJoin, TicketIssuer } from '../../gate/waiting-room';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';
import { FUNCTION_FILE, openState } from './waiting-room-test-room';

const KEY = { kid: 'k2', secret: 'a-signing-secret-of-some-length' };
const T0 = 1_800_000_000_000;
let redis: Redis;
let upstream: Server;
let edge: LocalEdge;
const clock = new FakeClock(T0);

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  const issuer = new TicketIssuer({
    store: redis,
    saleName: 'winter-flash',
    keyPrefix: uniquePrefix('local-edge'),
    signingKey: () => KEY,
    clock,
  });
  upstream = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname !== WAITING_ROOM_JOIN_PATH) return void res.end(`shop:${url.pathname}`);
    answerJoin({
      issuer,
      identity: `ip:${req.headers['x-forwarded-for']}`,
      next: url.searchParams.get('next') ?? undefined,
      cookieHeader: req.headers.cookie,
      secretOf: () => KEY.secret,
    }).then(
      (join) => {
        res.writeHead(join.statusCode, { location: join.location, 'set-cookie': join.setCookie });
        res.end();
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  edge = await startLocalEdge({
    functionFile: FUNCTION_FILE,
    upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    now: () => clock.now(),
  });
  edge.store.set(waitingRoomSigningKeyName(KEY.kid), KEY.secret);
});

afterAll(async () => {
  await edge.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  await redis.quit();
});

/** A browser's cookie jar, enough for this: name=value, Max-Age=0 deletes. */
function visitor() {
  const jar = new Map<string, string>();
  return async (path: string) => {
    const answer = await fetch(`${edge.url}${path}`, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([n, v]) => `${n}=${v}`).join('; '), accept: 'text/html' },
    });
    for (const line of answer.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      if (attributes.some((a) => a.trim() === 'Max-Age=0')) jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return {
      status: answer.status,
      location: answer.headers.get('location'),
      room: answer.headers.get('saleday-waiting-room'),
      body: await answer.text(),
    };
  };
}

it('passes everything through to the upstream while the room is closed', async () => {
  edge.store.set(WAITING_ROOM_STATE_KEY, JSON.stringify(openState({ open: false, keyId: KEY.kid })));
  expect(await visitor()('/drop')).toEqual(expect.objectContaining({ status: 200, body: 'shop:/drop' }));
});

it('sends a visitor through join, the waiting page and admission to the shop', async () => {
  clock.set(T0);
  edge.store.set(
    WAITING_ROOM_STATE_KEY,
    JSON.stringify(openState({ keyId: KEY.kid, t0Ms: T0, ticket0: 0, ratePerSecond: 2, ticketsFromMs: T0 - 1000 })),
  );
  const get = visitor();
  const first = await get('/drop?size=42');
  expect(first).toEqual(
    expect.objectContaining({
      status: 302,
      room: 'join',
      location: `${WAITING_ROOM_JOIN_PATH}?next=${encodeURIComponent('/drop?size=42')}`,
    }),
  );
  const joined = await get(first.location!);
  expect(joined).toEqual(expect.objectContaining({ status: 302, location: '/drop?size=42' }));
  const waiting = await get('/drop?size=42');
  expect(waiting).toEqual(expect.objectContaining({ status: 200, room: 'waiting' }));
  expect(waiting.body).toContain('You are number 1 in line.');
  clock.advance(500);
  const admitted = await get('/drop?size=42');
  expect(admitted).toEqual(expect.objectContaining({ status: 302, room: 'admitted', location: '/drop?size=42' }));
  expect(await get('/drop?size=42')).toEqual(expect.objectContaining({ status: 200, body: 'shop:/drop', room: null }));
});
