/**
 * The config's `sla`, and what capacity planning reads and writes: `audience`, `plan` and `pricing`.
 */
import { z } from 'zod';
import { positiveInt, share } from './schema-primitives';

export const SlaSchema = z
  .object({
    p99LatencyMs: positiveInt().max(60_000).default(800),
    /** Share of requests that may fail (5xx) before the SLA is breached. */
    errorRate: share().default(0.01),
  })
  .strict();

export const AudienceSchema = z
  .object({
    socialFollowers: z.number().nonnegative().default(0),
    registeredUsers: z.number().nonnegative().default(0),
    adImpressions: z.number().nonnegative().default(0),
  })
  .strict();

export const PlanSchema = z
  .object({
    computedAt: z.string(),
    peakRequestsPerSecond: z.number().nonnegative(),
    fleetRequestsPerSecond: z.number().nonnegative(),
    taskCapacityRps: z.number().positive(),
    headroom: z.number().min(1),
    tasks: positiveInt(),
    cacheNodeType: z.string(),
    costPerHourUsd: z.number().nonnegative(),
  })
  .strict();

export const PricingSchema = z
  .object({
    /** The date these list prices were read; check them before the sale. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    currency: z.literal('USD').default('USD'),
    fargateVcpuHour: z.number().nonnegative(),
    fargateGbHour: z.number().nonnegative(),
    albHour: z.number().nonnegative(),
    albLcuHour: z.number().nonnegative(),
    natGatewayHour: z.number().nonnegative(),
    cacheNodeHour: z.record(z.string(), z.number().nonnegative()),
    cloudfrontPer10kRequests: z.number().nonnegative(),
    wafPerMillionRequests: z.number().nonnegative(),
    wafWebAclMonth: z.number().nonnegative(),
    wafRuleMonth: z.number().nonnegative(),
  })
  .strict();
export type Pricing = z.infer<typeof PricingSchema>;
