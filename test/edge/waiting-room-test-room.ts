/** A waiting room in a sandboxed edge function, with the TypeScript cookie codec to mint and read cookies. */
import { join } from 'node:path';
import { WAITING_ROOM_STATE_KEY, waitingRoomSigningKeyName, type WaitingRoomState } from '../../contracts/waiting-room';
import { encodePass, encodeTicket, identityHash } from '../../gate/waiting-room/room-cookies';
import { FakeClock } from '../support/fake-clock';
import { roomState } from '../support/waiting-room-state';
import { loadCloudFrontFunction, type FunctionSandbox } from '../../edge/local/cloudfront-function-runtime';

export const FUNCTION_FILE = join(__dirname, '../../edge/waiting-room-function.js');
export const OPENED_AT = 1_800_000_000_000;
export const SECRET = 'current-secret-0123456789abcdef';
export const OLD_SECRET = 'previous-secret-0123456789abcdef';
export const IDENTITY = identityHash(SECRET, 'ip:198.51.100.7');

export function openState(overrides: Partial<WaitingRoomState> = {}): WaitingRoomState {
  return roomState({ keyId: 'k2', passSeconds: 600, passMaxSeconds: 1800, ...overrides });
}

export interface TestRoom {
  edge: FunctionSandbox;
  clock: FakeClock;
  setState(state: WaitingRoomState): void;
  ticket(number: number, issuedAtMs?: number, kid?: string): string;
  pass(fields: { number?: number; expiresAtMs: number; capAtMs: number; kid?: string }): string;
}

export function testRoom(state: WaitingRoomState = openState()): TestRoom {
  const clock = new FakeClock(OPENED_AT);
  const edge = loadCloudFrontFunction(FUNCTION_FILE, () => clock.now());
  edge.store.set(waitingRoomSigningKeyName('k2'), SECRET);
  edge.store.set(waitingRoomSigningKeyName('k1'), OLD_SECRET);
  const secretOf = (kid: string) => (kid === 'k1' ? OLD_SECRET : SECRET);
  const room: TestRoom = {
    edge,
    clock,
    setState: (s) => edge.store.set(WAITING_ROOM_STATE_KEY, JSON.stringify(s)),
    ticket: (number, issuedAtMs = OPENED_AT - 1000, kid = 'k2') =>
      encodeTicket({ number, issuedAtMs, identityHash: IDENTITY, kid }, secretOf(kid)),
    pass: ({ number = 3, expiresAtMs, capAtMs, kid = 'k2' }) =>
      encodePass({ number, expiresAtMs, capAtMs, identityHash: IDENTITY, kid }, secretOf(kid)),
  };
  room.setState(state);
  return room;
}
