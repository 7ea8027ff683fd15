/**
 * The one config of a sale: `saleday.config.json`. Every part of saleday reads it through this
 * schema (the CDK stacks, the gate, the controller, the CLI), so a value means the same thing
 * everywhere. Defaults live here and nowhere else. Each section's schema has its own file; this one
 * composes them and re-exports them.
 */
import { z } from 'zod';
import { AlarmSchema, ControllerSchema, DegradationLevelSchema } from './alarms-schema';
import { checkConfigReferences, checkHasCriticalRoute } from './config-references';
import { checkCriticalRouteTimeouts } from './critical-route-timeouts';
import { CacheSchema, FleetSchema } from './fleet-schema';
import { checkRequestsPerTargetWithinCapacity } from './fleet-rules';
import { GateSchema } from './gate-schema';
import { IdentitySchema } from './identity-schema';
import { AudienceSchema, PlanSchema, PricingSchema, SlaSchema } from './planning-schema';
import { RouteSchema } from './routes-schema';
import { positiveInt, slug } from './schema-primitives';
import { WafSchema } from './waf-schema';
import { WaitingRoomSchema, checkWaitingRoomAgainstConfig } from './waiting-room-schema';
import { checkWindowsDoNotOverlap } from './window-rules';
import { SaleWindowSchema } from './window-schema';

export { PRIORITY_CLASSES, type PriorityClass } from '../priority-classes';
export {
  ALARM_METRICS,
  AlarmEffectSchema,
  AlarmMetricSchema,
  AlarmSchema,
  ControllerSchema,
  DegradationLevelSchema,
  type AlarmConfig,
  type AlarmEffect,
  type AlarmMetric,
} from './alarms-schema';
export { CacheSchema, FARGATE_MEMORY_BY_CPU, FleetSchema } from './fleet-schema';
export { GateSchema } from './gate-schema';
export { IdentitySchema, type IdentityConfig } from './identity-schema';
export { AudienceSchema, PlanSchema, PricingSchema, SlaSchema, type Pricing } from './planning-schema';
export {
  FallbackSchema,
  PrioritySchema,
  RateLimitPolicySchema,
  RouteSchema,
  type RateLimitPolicy,
  type RouteConfig,
} from './routes-schema';
export { WafSchema } from './waf-schema';
export { SaleWindowSchema, type SaleWindow } from './window-schema';

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    saleName: slug(),
    app: z
      .object({
        region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as eu-west-1'),
        /** Pin the account for deploys; omitted means the CLI's current credentials. */
        account: z
          .string()
          .regex(/^\d{12}$/, 'expected a 12-digit AWS account id')
          .optional(),
        /** Optional custom domain for CloudFront (certificate in us-east-1). */
        domainName: z.string().optional(),
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+$/,
            'expected an ACM certificate ARN in us-east-1',
          )
          .optional(),
        /** The longest the app's checkout can take (the reference storefront prints it); critical routes' timeoutMs must be at least this. */
        checkoutWorstCaseMs: positiveInt().max(60_000).optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if ((a.domainName === undefined) !== (a.certificateArn === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: ['certificateArn'],
            input: a.certificateArn,
            message: 'expected domainName and certificateArn together',
          });
        }
      }),
    windows: z.array(SaleWindowSchema).min(1).superRefine(checkWindowsDoNotOverlap),
    sla: SlaSchema.prefault({}),
    fleet: FleetSchema,
    cache: CacheSchema.prefault({}),
    identity: IdentitySchema.prefault({ header: 'x-user-id' }),
    routes: z.array(RouteSchema).min(1),
    degradation: z.array(DegradationLevelSchema).default([
      { level: 1, shed: ['low'] },
      { level: 2, shed: ['low', 'normal'] },
      { level: 3, shed: ['low', 'normal', 'high'] },
    ]),
    waf: WafSchema,
    alarms: z.array(AlarmSchema).default([]),
    controller: ControllerSchema.prefault({}),
    gate: GateSchema.prefault({}),
    notifications: z.object({ email: z.email('expected an e-mail address') }).strict(),
    audience: AudienceSchema.optional(),
    plan: PlanSchema.optional(),
    pricing: PricingSchema,
    waitingRoom: WaitingRoomSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkWaitingRoomAgainstConfig(c, ctx);
    checkConfigReferences(c, ctx);
    checkRequestsPerTargetWithinCapacity(c, ctx);
    checkCriticalRouteTimeouts(c, ctx);
    checkHasCriticalRoute(c, ctx);
  });

export type SaledayConfig = z.infer<typeof ConfigSchema>;
export type SaledayConfigInput = z.input<typeof ConfigSchema>;
