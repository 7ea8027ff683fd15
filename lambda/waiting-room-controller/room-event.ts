/**
 * Everything that may invoke the waiting-room controller, parsed once at the door: the
 * EventBridge one-minute "Scheduled Event", a person's lever (open, close, rate, clear; see
 * queue-commands.ts) or `{"action":"status"}`. Anything else is skipped, nothing written.
 */
import { z } from 'zod';
import { QueueCommandSchema, type QueueCommand } from './queue-commands';

const ScheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  id: z.string(),
  time: z.string(),
});

export type RoomEvent = { kind: 'schedule' } | { kind: 'command'; command: QueueCommand } | { kind: 'status' };
export type ParsedRoomEvent = { ok: true; event: RoomEvent } | { ok: false; problems: string[] };

export function parseRoomEvent(raw: unknown): ParsedRoomEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, problems: ['expected an object (an EventBridge event or a queue command)'] };
  const record = raw as Record<string, unknown>;
  if ('detail-type' in record) {
    const result = ScheduledEventSchema.safeParse(raw);
    return result.success ? { ok: true, event: { kind: 'schedule' } } : failed(result.error);
  }
  if (record.action === 'status')
    return Object.keys(record).length === 1
      ? { ok: true, event: { kind: 'status' } }
      : { ok: false, problems: ['status: expected no other field than action'] };
  const result = QueueCommandSchema.safeParse(raw);
  if (result.success) return { ok: true, event: { kind: 'command', command: result.data } };
  if (!['open', 'close', 'rate', 'clear'].includes(String(record.action))) {
    return {
      ok: false,
      problems: [
        `action: got ${JSON.stringify(record.action)}; expected an EventBridge scheduled event or action open, close, rate, clear or status`,
      ],
    };
  }
  return failed(result.error);
}

function failed(error: z.ZodError): ParsedRoomEvent {
  return { ok: false, problems: error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`) };
}
