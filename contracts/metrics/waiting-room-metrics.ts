/**
 * What the gate counts for the waiting room (namespace Saleday/Gate, dimension Sale only, one EMF
 * record per metrics interval): the joins it issued or refused, and the protected requests it let
 * through on a pass or refused for want of one. The controller and the dashboard read these names.
 * This file imports nothing of the project.
 */
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
