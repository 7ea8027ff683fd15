/**
 * Everything that may invoke the flag controller, parsed once at the door:
 * - EventBridge "CloudWatch Alarm State Change" (single-metric, metric-math and composite alarms
 *   share `detail.alarmName` and `detail.state.value`; the rest varies and is not needed);
 * - the EventBridge one-minute "Scheduled Event";
 * - a person's command, invoked directly: override, clear, get.
 * Anything else is malformed: the handler logs it and writes nothing.
 */
import { z } from 'zod';
import {
  ClearCommandSchema,
  GetCommandSchema,
  OverrideCommandSchema,
  type ControllerCommand,
} from './controller-commands';

const AlarmStateChangeSchema = z.looseObject({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  id: z.string(),
  time: z.string(),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: z.looseObject({ value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']), timestamp: z.string().optional() }),
    previousState: z.looseObject({ value: z.string() }).optional(),
  }),
});

const ScheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  id: z.string(),
  time: z.string(),
});

export type ControllerEvent =
  | { kind: 'alarm-event'; eventId: string; alarmName: string; state: string; previousState?: string; time: string }
  | { kind: 'schedule'; eventId: string; time: string }
  | { kind: 'command'; command: ControllerCommand }
  | { kind: 'get' };

export type ParsedControllerEvent = { ok: true; event: ControllerEvent } | { ok: false; problems: string[] };

export function parseControllerEvent(raw: unknown): ParsedControllerEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, problems: ['expected an object (an EventBridge event or a command)'] };
  const record = raw as Record<string, unknown>;
  if ('detail-type' in record) {
    if (record['detail-type'] === 'Scheduled Event') {
      const result = ScheduledEventSchema.safeParse(raw);
      return result.success
        ? { ok: true, event: { kind: 'schedule', eventId: result.data.id, time: result.data.time } }
        : failed(result.error);
    }
    const result = AlarmStateChangeSchema.safeParse(raw);
    if (!result.success) return failed(result.error);
    const { detail } = result.data;
    return {
      ok: true,
      event: {
        kind: 'alarm-event',
        eventId: result.data.id,
        alarmName: detail.alarmName,
        state: detail.state.value,
        previousState: detail.previousState?.value,
        time: result.data.time,
      },
    };
  }
  switch (record.action) {
    case 'override': {
      const result = OverrideCommandSchema.safeParse(raw);
      return result.success ? { ok: true, event: { kind: 'command', command: result.data } } : failed(result.error);
    }
    case 'clear': {
      const result = ClearCommandSchema.safeParse(raw);
      return result.success ? { ok: true, event: { kind: 'command', command: result.data } } : failed(result.error);
    }
    case 'get': {
      const result = GetCommandSchema.safeParse(raw);
      return result.success ? { ok: true, event: { kind: 'get' } } : failed(result.error);
    }
    default:
      return {
        ok: false,
        problems: [
          `action: got ${JSON.stringify(record.action)}; expected an EventBridge event or action override, clear or get`,
        ],
      };
  }
}

function failed(error: z.ZodError): ParsedControllerEvent {
  return { ok: false, problems: error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`) };
}
