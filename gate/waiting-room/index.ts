/** The waiting room's gate side: joining (ticket issuance), the pass check, and the cookie and schedule helpers. */
export { answerJoin, safeNext, TICKET_COOKIE_MAX_AGE_SECONDS, type JoinAnswer } from './join-answer';
export { checkPass, cookieValue, type PassCheck, type PassRefusal } from './pass-check';
export {
  decodePass,
  decodeTicket,
  encodePass,
  encodeTicket,
  identityHash,
  type SecretOf,
  type WaitingRoomPass,
  type WaitingRoomTicket,
} from './room-cookies';
export {
  admittedBelow,
  openedState,
  placeOf,
  preQueueShuffle,
  waitingStatus,
  withRate,
} from '../../contracts/waiting-room-schedule';
export {
  TicketIssuer,
  ticketCounterKey,
  type IssuedTicket,
  type SigningKey,
  type TicketCounterStore,
} from './ticket-issuer';
export { guardRoom, parseSigningSecrets, type RoomGuardRequest, type RoomVerdict } from './room-guard';
export {
  isRoomRecordRejectedError,
  parseRoomRecord,
  RoomRecordRejectedError,
  RoomRecordSchema,
  WaitingRoomStateSchema,
  type RoomRecord,
} from './room-record';
export { RedisRoomStore, roomStateKey, type WriteOutcome } from './redis-room-store';
export { WaitingRoomStateCache, type RoomRecordReader } from './room-state-cache';
export { createRoomGate, RoomGate, WAITING_ROOM_SECRETS_ENV, type RoomGateOptions } from './room-gate';
export { JoinLimits, DEFAULT_JOIN_LIMIT_PER_IDENTITY, DEFAULT_JOIN_LIMIT_PER_IP } from './join-limits';
