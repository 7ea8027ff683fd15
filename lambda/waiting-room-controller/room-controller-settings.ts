/**
 * What the waiting-room controller needs from the sale config, as the CDK stack passes it in the
 * environment (SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG), and how the CLI and the rehearsal derive
 * the same settings from the config file. Drops are resolved to instants here, once, so the
 * Lambda needs no time-zone arithmetic. A bad environment fails at cold start naming every problem.
 */
import { z } from 'zod';
import type { SaledayConfig } from '../../contracts/config/schema';
import { zonedToInstant } from '../../contracts/config/window-schedule';
import type { RoomPolicy } from './decide-room';
import { ratePolicyFromConfig } from './rate-policy';

/** How long after a drop the room stays open with an empty line (late arrivals still queue fairly). */
export const DROP_HOLD_MS = 10 * 60_000;

/** Not strict: fields a newer stack adds must not stop an older controller at cold start. */
export const RoomControllerSettingsSchema = z.object({
  saleName: z.string().min(1),
  slaP99Ms: z.number().positive(),
  room: z.object({
    passMinutes: z.number().int().positive(),
    passMaxMinutes: z.number().int().positive(),
    openAtLevel: z.number().int().min(1).max(9).optional(),
    initialRatePerSecond: z.number().positive(),
    minRatePerSecond: z.number().positive(),
    maxRatePerSecond: z.number().positive(),
    sessionMinutes: z.number().positive(),
  }),
  drops: z.array(z.object({ preQueueFromMs: z.number().nonnegative(), atMs: z.number().nonnegative() })),
  /** Longest a lever may last (the flag levers' cap, controller.maxOverrideSeconds). */
  maxLeverSeconds: z.number().int().positive(),
});
export type RoomControllerSettings = z.infer<typeof RoomControllerSettingsSchema>;

const jsonText = (what: string) =>
  z.string({ error: `expected ${what} as JSON (set by the CDK stack)` }).transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `expected JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

export const RoomControllerEnvironmentSchema = z.object({
  SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG: jsonText('the waiting room controller settings').pipe(
    RoomControllerSettingsSchema,
  ),
  REDIS_URL: z
    .string({ error: 'expected redis://host:port or rediss://host:port' })
    .regex(/^rediss?:\/\/[^\s]+$/, 'expected redis://host:port or rediss://host:port'),
  REDIS_AUTH_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN')
    .optional(),
  /** The signing keys (kid:secret list or JSON), copied into the KeyValueStore. */
  SIGNING_SECRET_ARN: z
    .string({ error: 'expected the signing secret ARN (set by the CDK stack)' })
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN'),
  KEY_VALUE_STORE_ARN: z
    .string({ error: 'expected the KeyValueStore ARN (set by the CDK stack)' })
    .regex(
      /^arn:aws[a-z-]*:cloudfront::\d{12}:key-value-store\/[A-Za-z0-9-]+$/,
      'expected a CloudFront KeyValueStore ARN',
    ),
});
export type RoomControllerEnvironment = z.infer<typeof RoomControllerEnvironmentSchema>;

export class RoomControllerEnvironmentError extends Error {
  readonly code = 'SALEDAY_WAITING_ROOM_CONTROLLER_ENVIRONMENT';
  constructor(readonly problems: string[]) {
    super(`waiting room controller environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RoomControllerEnvironmentError';
  }
}

export function isRoomControllerEnvironmentError(error: unknown): error is RoomControllerEnvironmentError {
  return error instanceof RoomControllerEnvironmentError;
}

export function loadRoomControllerEnvironment(env: NodeJS.ProcessEnv): RoomControllerEnvironment {
  const result = RoomControllerEnvironmentSchema.safeParse(env);
  if (result.success) return result.data;
  throw new RoomControllerEnvironmentError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
  );
}

/** The controller settings of a sale config; throws when the config has no waiting room. */
export function roomControllerSettingsFromConfig(config: SaledayConfig): RoomControllerSettings {
  const room = config.waitingRoom;
  if (!room) throw new Error('waitingRoom: got nothing; expected the waitingRoom section of the config');
  const windows = new Map(config.windows.map((w) => [w.name, w]));
  const drops = room.drops.map((drop) => {
    const timeZone = windows.get(drop.window)?.timeZone ?? 'UTC';
    const atMs = zonedToInstant(drop.at, timeZone);
    return { preQueueFromMs: atMs - drop.preQueueMinutes * 60_000, atMs };
  });
  const {
    passMinutes,
    passMaxMinutes,
    openAtLevel,
    initialRatePerSecond,
    minRatePerSecond,
    maxRatePerSecond,
    sessionMinutes,
  } = room;
  return {
    saleName: config.saleName,
    slaP99Ms: config.sla.p99LatencyMs,
    room: {
      passMinutes,
      passMaxMinutes,
      openAtLevel,
      initialRatePerSecond,
      minRatePerSecond,
      maxRatePerSecond,
      sessionMinutes,
    },
    drops,
    maxLeverSeconds: config.controller.maxOverrideSeconds,
  };
}

export function roomPolicyOf(settings: RoomControllerSettings): RoomPolicy {
  const { room } = settings;
  return {
    drops: settings.drops,
    openAtLevel: room.openAtLevel,
    initialRatePerSecond: room.initialRatePerSecond,
    dropHoldMs: DROP_HOLD_MS,
    rate: ratePolicyFromConfig(room, settings.slaP99Ms),
  };
}
