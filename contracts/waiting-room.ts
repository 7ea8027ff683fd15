/**
 * What the waiting room's parts agree on: the room's state as the controller stores it in the
 * CloudFront KeyValueStore, the ticket and pass cookies, and the join path.
 *
 * The edge function (edge/waiting-room-function.js) cannot import TypeScript, so it repeats these
 * names and formats; its tests load it beside this file and check that both sides agree.
 * This file imports nothing of the project.
 */

/** KeyValueStore key whose value is the room's state, one JSON document (see WaitingRoomState). */
export const WAITING_ROOM_STATE_KEY = 'waiting-room';

/**
 * KeyValueStore key holding the signing secret of key id `kid`. The secret is the text stored
 * there, used as is as the HMAC key. Several keys may live side by side: a rotation adds the new
 * key, makes it current (`keyId`), and removes the old one once its passes have expired.
 */
export function waitingRoomSigningKeyName(kid: string): string {
  return `${WAITING_ROOM_STATE_KEY}.key.${kid}`;
}

/** What a key id may be: it travels in cookies and names a KeyValueStore key. */
export const WAITING_ROOM_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The room's state, written whole by the controller (one key, so a reader never sees half an
 * update) and read by the edge function on every request.
 *
 * Admission is by schedule: a ticket whose effective number is below
 * `admittedBelow(now) = ticket0 + floor(ratePerSecond × max(0, now − t0Ms) / 1000)` is admitted.
 * The controller changes the rate by re-anchoring (t0Ms = now, ticket0 = admittedBelow(now)), so
 * admission never jumps back; nothing is written at the edge per request.
 */
export interface WaitingRoomState {
  /** Format version of this document. */
  v: 1;
  /** Closed: every request passes through untouched. */
  open: boolean;
  /** Key id new passes are signed with; its secret is at `waitingRoomSigningKeyName(keyId)`. */
  keyId: string;
  /** Anchor of the admission line: at `t0Ms`, tickets below `ticket0` are admitted. */
  t0Ms: number;
  ticket0: number;
  /** Tickets admitted per second from `t0Ms` on; 0 pauses admission. */
  ratePerSecond: number;
  /**
   * The admission rate the waiting page's estimated wait uses, so a wait is promised only once the
   * controller has measured how fast the line really moves: absent = `ratePerSecond` (documents
   * written before this field), 0 = not measured yet (the page shows the place in line and says it
   * is estimating), above 0 = estimate with this rate. A negative or non-numeric value reads as absent.
   */
  estimateRatePerSecond?: number;
  /** When the room opened (0 while it has not). */
  openedAtMs: number;
  /**
   * Tickets issued before this are void (sent to join again): a ticket kept from an earlier opening
   * must not walk straight in because its number is low.
   */
  ticketsFromMs: number;
  /** Until then, joiners are in the pre-queue: their order is shuffled at the opening. */
  preQueueUntilMs: number;
  /** The first pre-queue ticket's number (the ticket counter when the pre-queue began). */
  preQueueStart: number;
  /**
   * How many tickets the pre-queue handed out (0 until the opening). Tickets numbered from
   * preQueueStart to preQueueStart + preQueueSize − 1 are placed by the shuffle; the others keep
   * their number (first come, first served).
   */
  preQueueSize: number;
  /**
   * Secret seed of the pre-queue shuffle, drawn at the opening (empty before): nobody can know a
   * pre-queue ticket's place before then.
   */
  shuffleSeed: string;
  /** How long a pass lasts, and how long renewals may extend it after admission. */
  passSeconds: number;
  passMaxSeconds: number;
}

/** Ticket cookie: proof of a place in the queue, issued by the gate's join. */
export const WAITING_ROOM_TICKET_COOKIE = 'saleday-wr-ticket';
/** Pass cookie: proof of admission, issued by the edge when a ticket's turn comes. */
export const WAITING_ROOM_PASS_COOKIE = 'saleday-wr-pass';

/**
 * Cookie values are `<payload>.<signature>`: the payload is colon-separated fields (so the edge
 * reads them without decoding), the signature is base64url(HMAC-SHA256(secret of kid, payload)).
 *
 * Ticket payload: `t1:<number>:<issuedAtMs>:<identityHash>:<kid>`.
 * Pass payload:   `p1:<number>:<expiresAtMs>:<capAtMs>:<identityHash>:<kid>` — a renewal moves
 * `expiresAtMs` forward, never past `capAtMs`.
 */
export const WAITING_ROOM_TICKET_VERSION = 't1';
export const WAITING_ROOM_PASS_VERSION = 'p1';

/**
 * The identity binding: base64url(HMAC-SHA256(secret of kid, `id:` + the gate's identity value
 * (`u:<key>` or `ip:<addr>`))), first 22 characters. Keyed, so a cookie does not reveal the IP.
 */
export const WAITING_ROOM_IDENTITY_HASH_LENGTH = 22;

/**
 * The gate's join endpoint (under the gate's reserved prefix): `GET <path>?next=<relative URL>`
 * issues a ticket cookie and redirects back to `next`. The edge lets it through while the room is
 * open; it is the only request a waiting visitor makes to the origin.
 */
export const WAITING_ROOM_JOIN_PATH = '/_gate/queue/join';
/** Query parameter of the join naming where to go back to. */
export const WAITING_ROOM_JOIN_NEXT_PARAM = 'next';

/** Response header on every answer the edge gives itself: `waiting`, `admitted`, `renewed`, `join`. */
export const WAITING_ROOM_HEADER = 'saleday-waiting-room';

/** The waiting answer's JSON body (for `Accept: application/json`). */
export interface WaitingRoomStatus {
  status: 'pre-queue' | 'waiting';
  /** 1 for the next ticket to be admitted; null while the pre-queue's order is not drawn yet. */
  position: number | null;
  peopleAhead: number | null;
  /**
   * Seconds until admission: the tickets between the admission line now and the ticket's place,
   * divided by the estimate rate (WaitingRoomState.estimateRatePerSecond, else the current rate);
   * null when admission is paused, in the pre-queue, or while estimating.
   */
  estimatedWaitSeconds: number | null;
  /**
   * True when the place is known and admission runs but no wait is promised yet, because the
   * controller has not measured the line's speed (estimateRatePerSecond is 0): the page says it is estimating.
   */
  estimating: boolean;
  /** When the pre-queue ends (epoch ms), 0 once the room is open. */
  opensAtMs: number;
  ratePerSecond: number;
}
