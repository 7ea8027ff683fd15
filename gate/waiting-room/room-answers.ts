/** How the gate writes its waiting-room answers: never cached, with the outcome and room headers. */
import type { ServerResponse } from 'node:http';
import { OUTCOME_HEADER, type GateOutcome } from '../../contracts/metrics/gate-metrics';
import { WAITING_ROOM_HEADER } from '../../contracts/waiting-room';

export interface RoomAnswer {
  status: number;
  outcome: GateOutcome;
  /** The value of the saleday-waiting-room header. */
  room: string;
  headers?: Record<string, string | string[]>;
  /** A JSON body; none for a redirect. */
  json?: Record<string, unknown>;
}

export function writeRoomAnswer(res: ServerResponse, answer: RoomAnswer): void {
  if (res.headersSent || res.destroyed) return;
  const body = answer.json === undefined ? undefined : Buffer.from(JSON.stringify(answer.json));
  res.writeHead(answer.status, {
    ...answer.headers,
    ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': body?.length ?? 0,
    'cache-control': 'no-store',
    [WAITING_ROOM_HEADER]: answer.room,
    [OUTCOME_HEADER]: answer.outcome,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Seconds for Retry-After: at least 1, rounded up. */
export function retryAfterHeader(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}
