/**
 * What people may ask of the waiting room (`saleday queue open|close|rate|clear`): every lever
 * expires and says who asked and why, like the flag levers. Shared by the CLI, the handler and
 * the pure decision.
 */
import { z } from 'zod';

const who = z.string().trim().min(1, 'expected who asks (actor)').max(200);
const why = z.string().trim().min(1, 'expected a reason').max(500);
const ttlSeconds = z
  .number()
  .int()
  .positive()
  .max(7 * 24 * 3600);

export const QueueCommandSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('open'), ttlSeconds, reason: why, actor: who }).strict(),
  z.object({ action: z.literal('close'), ttlSeconds, reason: why, actor: who }).strict(),
  z
    .object({ action: z.literal('rate'), ratePerSecond: z.number().nonnegative(), ttlSeconds, reason: why, actor: who })
    .strict(),
  z.object({ action: z.literal('clear'), reason: why, actor: who }).strict(),
]);
export type QueueCommand = z.infer<typeof QueueCommandSchema>;
