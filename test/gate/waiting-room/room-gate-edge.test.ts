/**
 * The whole room over real HTTP: the edge function in the local edge, in front of the real gate on
 * a real Redis, in front of the app. A visitor is sent to the gate's join, waits at the edge, is
 * admitted with a pass the edge signs, and the gate lets that pass through for its identity only.
 */
import Redis from 'ioredis';
import { join } from 'node:path';
import {
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_STATE_KEY,
  waitingRoomSigningKeyName,
  type WaitingRoomState,
} from '../../../contracts/waiting-room';
import { startLocalEdge, type LocalEdge } from '../../../edge/local/local-edge';
import type { StartedGate } from '../../../gate/proxy/gate-server';
import { testRedisUrl } from '../../support/test-redis';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import {
  eventually,
  KID,
  roomState,
  SECRET,
  startRoomGate,
  uniqueSaleName,
  writeRoom,
} from './fixtures/room-gate-fixture';

const FUNCTION_FILE = join(__dirname, '../../../edge/waiting-room-function.js');
const saleName = uniqueSaleName();
let redis: Redis;
let upstream: TestUpstream;
let gate: StartedGate;
let edge: LocalEdge;
const emf: string[] = [];

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  upstream = await startTestUpstream();
  gate = await startRoomGate({ saleName, redisUrl: testRedisUrl(), upstream, emf });
  edge = await startLocalEdge({ functionFile: FUNCTION_FILE, upstream: gate.url });
  edge.store.set(waitingRoomSigningKeyName(KID), SECRET);
});

afterAll(async () => {
  await edge.close();
  await gate.close();
  await upstream.close();
  await redis.quit();
});

/** The controller's write: the same state to the edge's store and to the gates' room record. */
async function publish(state: WaitingRoomState): Promise<void> {
  edge.store.set(WAITING_ROOM_STATE_KEY, JSON.stringify(state));
  await writeRoom(redis, saleName, state);
  // The gate polls the record: wait until its metrics show the room as the state says.
  const shown = () =>
    (JSON.parse(emf.filter((l) => l.includes('WaitingRoomOpen')).at(-1) ?? '{}') as Record<string, number>)
      .WaitingRoomOpen;
  if (!(await eventually(() => shown() === (state.open ? 1 : 0))))
    throw new Error('the gate did not see the room record');
}

/** A browser with a cookie jar and an identity (the x-user-id header the test config trusts). */
function visitor(user: string) {
  const jar = new Map<string, string>();
  const get = async (path: string) => {
    const cookie = [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
    const answer = await fetch(`${edge.url}${path}`, {
      redirect: 'manual',
      headers: { 'x-user-id': user, accept: 'text/html', ...(cookie ? { cookie } : {}) },
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
  return { get, jar };
}

it('joins at the gate, waits at the edge, is admitted with a pass the gate accepts for that identity only', async () => {
  await publish(roomState({ t0Ms: Date.now(), ratePerSecond: 0 }));
  const alice = visitor('alice');
  const first = await alice.get('/drop');
  expect(first).toEqual(
    expect.objectContaining({ status: 302, room: 'join', location: `${WAITING_ROOM_JOIN_PATH}?next=%2Fdrop` }),
  );
  const joined = await alice.get(first.location!);
  expect(joined).toEqual(expect.objectContaining({ status: 302, room: 'ticket', location: '/drop' }));
  const waiting = await alice.get('/drop');
  expect(waiting).toEqual(expect.objectContaining({ status: 200, room: 'waiting' }));
  expect(upstream.received.get('/drop')).toBeUndefined();

  // The controller admits everyone in line.
  const now = Date.now();
  await publish(roomState({ t0Ms: now - 1000, ticket0: 0, ratePerSecond: 1000 }));
  const admitted = await alice.get('/drop');
  expect(admitted).toEqual(expect.objectContaining({ status: 302, room: 'admitted', location: '/drop' }));
  const shopping = await alice.get('/drop');
  expect(shopping.status).toBe(200);
  expect(JSON.parse(shopping.body)).toEqual({ page: '/drop' });

  // The pass handed to another identity passes the edge (it cannot see identities) but not the gate.
  const mallory = visitor('mallory');
  for (const [name, value] of alice.jar) mallory.jar.set(name, value);
  const refused = await mallory.get('/drop');
  expect(refused).toEqual(expect.objectContaining({ status: 302, room: 'gate-refused' }));
});

it('lets the gate refuse a visitor without a pass when the edge fails open (no state in its store)', async () => {
  edge.store.delete(WAITING_ROOM_STATE_KEY);
  const bypass = await visitor('bob').get('/drop');
  expect(bypass).toEqual(
    expect.objectContaining({ status: 302, room: 'gate-refused', location: `${WAITING_ROOM_JOIN_PATH}?next=%2Fdrop` }),
  );
});
