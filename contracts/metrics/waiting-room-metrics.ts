/**
 * The waiting room's measurement vocabulary, shared by the gate (joins, passes, active shoppers),
 * the controller (publishes what it set, reads what the gates measured), the dashboard and the
 * rehearsal. Imports nothing of the project.
 */
/** What the gate counts for the room (namespace Saleday/Gate, dimension Sale, one EMF record per metrics interval). */
export const WAITING_ROOM_GATE_METRICS = {
  joinsIssued: 'WaitingRoomJoinsIssued', // a new ticket (one INCR)
  joinsKept: 'WaitingRoomJoinsKept', // the visitor's own valid ticket was kept (no INCR)
  joinsLimited: 'WaitingRoomJoinsLimited', // refused by the per-IP or per-identity join limit (429)
  joinsFailed: 'WaitingRoomJoinsFailed', // no ticket could be issued: Redis unreachable (503)
  passAdmitted: 'WaitingRoomPassAdmitted', // a protected request with a valid pass while the room is open
  passRefused: 'WaitingRoomPassRefused', // a protected request without a valid pass while the room is open (302/403): the edge was bypassed or failed open
  open: 'WaitingRoomOpen', // gauge: 1 while the gate's last-known room state is open
  recordMissing: 'WaitingRoomRecordMissing', // gauge: 1 while the room record is absent from Redis after having been read
} as const;

/** The gate's answers about the room carry this header (the edge uses the same header for its own answers). */
export const WAITING_ROOM_GATE_ANSWERS = {
  issued: 'ticket',
  kept: 'ticket-kept',
  limited: 'join-limited',
  refused: 'gate-refused',
} as const;

/** The controller's metrics (EMF through Powertools), dimension `Sale`. */
export const WAITING_ROOM_NAMESPACE = 'Saleday/WaitingRoom';
export const WAITING_ROOM_METRICS = {
  open: 'RoomOpen', // 1 while the room is open (pre-queue included), else 0
  rateSet: 'AdmissionRatePerSecond', // tickets admitted per second, as the controller set it
  waiting: 'Waiting', // tickets issued and not yet admitted
  admittedPerMinute: 'AdmittedPerMinute', // rate × 60
  estimatedWait: 'EstimatedWaitSeconds', // wait of the last ticket in line at the current rate
  activeShoppers: 'ActiveShoppers', // distinct pass holders the gates saw in the last full minute
} as const;

/**
 * Published by the gate in its own namespace (Saleday/Gate, dimension `Sale`, Unit Count,
 * StorageResolution 1): requests it let through on a valid pass while the room was open. The
 * controller reads it as the admitted shoppers' request rate.
 */
export const GATE_WAITING_ROOM_METRICS = {
  admittedRequests: WAITING_ROOM_GATE_METRICS.passAdmitted,
  /** Requests the gate refused for want of a pass while the room was open (the edge was bypassed or failed open). */
  refusedWithoutPass: WAITING_ROOM_GATE_METRICS.passRefused,
} as const;

/**
 * The active-shopper count across the fleet: for every request carrying a valid pass, the gate
 * adds the pass's ticket number to a HyperLogLog per UTC minute (`PFADD <key> <number>`, then
 * `EXPIRE <key> 180`); the controller reads the last full minute with PFCOUNT. Distinct across
 * gates (a shopper's requests land on many tasks), one small key per minute.
 */
export function waitingRoomActiveShoppersKey(saleName: string, epochMinute: number, keyPrefix = 'saleday'): string {
  return `${keyPrefix}:{wr:${saleName}}:active:${epochMinute}`;
}

/** How long a minute's active-shopper key lives: the controller reads the minute before the current one. */
export const WAITING_ROOM_ACTIVE_KEY_TTL_SECONDS = 180;

/**
 * The width of one active-shopper key's window: a UTC minute on AWS. The rehearsal, whose time runs
 * faster, narrows it for the gates (SALEDAY_WAITING_ROOM_ACTIVE_WINDOW_MS) and its controller alike;
 * the key's number is then `floor(epochMs / width)`.
 */
export const WAITING_ROOM_ACTIVE_WINDOW_MS = 60_000;

/**
 * Which places in line have been used since an opening: the first time a gate serves an admitted
 * ticket, it sets the bit at the ticket's place counted from the opening's first place
 * (`BITFIELD <key> SET u1 <place − preQueueStart> 1`, then `EXPIRE`). The controller counts the bits
 * of the places admitted a while ago (`BITCOUNT`): the share of admitted tickets that are used,
 * known seconds after the opening instead of whole visits later. One key per opening.
 */
export function waitingRoomShownPlacesKey(saleName: string, openedAtMs: number, keyPrefix = 'saleday'): string {
  return `${keyPrefix}:{wr:${saleName}}:shown:${openedAtMs}`;
}

/** How long an opening's shown-places bitmap lives after its last write: the controller reads it in the opening's first minutes. */
export const WAITING_ROOM_SHOWN_KEY_TTL_SECONDS = 3600;

/** Places past this are not marked: the reading needs the opening's places only, and the bitmap stays within 2 MB. */
export const WAITING_ROOM_SHOWN_MAX_PLACES = 2 ** 24;

/**
 * A gate notes at most this many tickets per opening (its memory of who it already marked), so a
 * place past it may be used and still read unused: the controller reads no place past it.
 */
export const WAITING_ROOM_SHOWN_MAX_NOTED = 200_000;
