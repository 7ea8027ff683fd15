/**
 * The config's `windows`: when the sale happens, in the window's own time zone.
 */
import { z } from 'zod';
import { localDateTime, slug, timeZone } from './schema-primitives';
import { checkWindowEndsAfterStart } from './window-rules';

export const SaleWindowSchema = z
  .object({
    name: slug(),
    start: localDateTime(),
    end: localDateTime(),
    timeZone: timeZone().default('UTC'),
    /** Minutes before `start` at which the fleet and cache are raised to the plan. */
    warmUpMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(45),
    /** Minutes after `end` before the fleet returns to its baseline. */
    coolDownMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
  })
  .strict()
  .superRefine(checkWindowEndsAfterStart);
export type SaleWindow = z.infer<typeof SaleWindowSchema>;
