/**
 * What people (through the CLI, or a direct Lambda invocation) may ask the controller to do.
 * Shared by the handler, the CLI and the pure decision core, so the three agree on the shape.
 */
import { z } from 'zod';

const dependencyName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a dependency name such as payments');
const who = z.string().trim().min(1, 'expected who asks (actor)').max(200);
const why = z.string().trim().min(1, 'expected a reason').max(500);

export const OverrideCommandSchema = z
  .object({
    action: z.literal('override'),
    /** Forced degradation level (0 forces normal service). */
    level: z.number().int().min(0).max(9).optional(),
    /** Breakers forced open (true) or closed (false). */
    breakers: z.record(dependencyName, z.boolean()).optional(),
    ttlSeconds: z.number().int().positive(),
    reason: why,
    actor: who,
  })
  .strict()
  .refine((c) => c.level !== undefined || (c.breakers !== undefined && Object.keys(c.breakers).length > 0), {
    message: 'expected a level or at least one breaker to override',
    path: ['level'],
  });
export type OverrideCommand = z.infer<typeof OverrideCommandSchema>;

export const ClearCommandSchema = z.object({ action: z.literal('clear'), reason: why, actor: who }).strict();
export type ClearCommand = z.infer<typeof ClearCommandSchema>;

/** Reads the document without changing anything (the CLI's `flags get` against AWS). */
export const GetCommandSchema = z.object({ action: z.literal('get') }).strict();
export type GetCommand = z.infer<typeof GetCommandSchema>;

export type ControllerCommand = OverrideCommand | ClearCommand;
