/**
 * The part of the sale config the gate container reads: its name, routes, identity, degradation
 * levels, its own settings and the planned task count (its local fallback's share of each limit). The task definition carries only this slice, so a config edit the
 * gate does not read (a sale window, prices, the audience, the on-call address, alarms, the plan)
 * leaves the task definition as it is and does not roll the fleet.
 */
import { z } from 'zod';
import { ConfigError } from './config-error';
import { DegradationLevelSchema, GateSchema, IdentitySchema, RouteSchema, type SaledayConfig } from './schema';
import { WaitingRoomSchema } from './waiting-room-schema';

/** The environment variable the task definition puts the slice in (JSON). */
export const GATE_CONFIG_ENV = 'SALEDAY_GATE_CONFIG_JSON';

export type GateConfig = Pick<SaledayConfig, 'saleName' | 'routes' | 'identity' | 'degradation' | 'gate'> &
  Partial<Pick<SaledayConfig, 'waitingRoom'>> & {
    fleet: Pick<SaledayConfig['fleet'], 'plannedTasks'>;
  };

/** Already validated as part of the whole config at synth; the gate checks the shape again at start. */
export const GateConfigSchema = z
  .object({
    saleName: z.string().min(1),
    routes: z.array(RouteSchema).min(1),
    identity: IdentitySchema,
    degradation: z.array(DegradationLevelSchema),
    gate: GateSchema,
    fleet: z.object({ plannedTasks: z.number().int().positive() }).strict(),
    waitingRoom: WaitingRoomSchema.optional(),
  })
  .strict();

/** What gateConfigSlice reads: the slice's sections and the fleet's planned task count. */
export type GateConfigSource = Pick<SaledayConfig, 'saleName' | 'routes' | 'identity' | 'degradation' | 'gate'> &
  Partial<Pick<SaledayConfig, 'waitingRoom'>> & {
    readonly fleet: Pick<SaledayConfig['fleet'], 'plannedTasks'>;
  };

export function gateConfigSlice(config: GateConfigSource): GateConfig {
  return {
    saleName: config.saleName,
    routes: config.routes,
    identity: config.identity,
    degradation: config.degradation,
    gate: config.gate,
    fleet: { plannedTasks: config.fleet.plannedTasks },
    // Only a sale with a room carries it, so a sale without one keeps its task definition as it was.
    ...(config.waitingRoom ? { waitingRoom: config.waitingRoom } : {}),
  };
}

export function parseGateConfig(json: string, source: string = GATE_CONFIG_ENV): GateConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(source, [
      `got text that is not JSON (${(error as Error).message}); expected the gate's config slice as JSON`,
    ]);
  }
  const result = GateConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return result.data;
}
