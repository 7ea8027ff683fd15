/**
 * The config's `alarms`, the `degradation` levels they may ask for, and the flag `controller`'s timings.
 */
import { z } from 'zod';
import { positiveInt, slug } from './schema-primitives';

/** Metrics an alarm can watch; lib/observability maps each to CloudWatch, the rehearsal to gate metrics. */
export const ALARM_METRICS = [
  'alb-p99-latency-ms',
  'alb-5xx-rate',
  'fleet-cpu-percent',
  'fleet-memory-percent',
  'cache-engine-cpu-percent',
  'cache-memory-percent',
  'cache-connections',
  'gate-shed-rate',
  'gate-queue-delay-ms',
  'gate-dependency-failure-rate',
] as const;
export const AlarmMetricSchema = z.enum(ALARM_METRICS);
export type AlarmMetric = z.infer<typeof AlarmMetricSchema>;

export const AlarmEffectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('degrade'), level: z.number().int().min(1).max(9) }).strict(),
  z.object({ type: z.literal('breaker'), dependency: slug() }).strict(),
  z.object({ type: z.literal('notify') }).strict(),
]);
export type AlarmEffect = z.infer<typeof AlarmEffectSchema>;

export const AlarmSchema = z
  .object({
    name: slug(),
    metric: AlarmMetricSchema,
    /** For gate-dependency-failure-rate: which dependency. */
    dependency: slug().optional(),
    threshold: z.number().nonnegative(),
    comparison: z.enum(['greater', 'less']).default('greater'),
    /** 10 or 30 (high resolution, gate metrics) or a multiple of 60. */
    periodSeconds: z
      .number()
      .int()
      .refine((p) => p === 10 || p === 30 || (p >= 60 && p % 60 === 0), 'expected 10, 30 or a multiple of 60')
      .default(60),
    evaluationPeriods: positiveInt().max(100).default(3),
    datapointsToAlarm: positiveInt().max(100).default(2),
    effect: AlarmEffectSchema,
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.datapointsToAlarm > a.evaluationPeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['datapointsToAlarm'],
        input: a.datapointsToAlarm,
        message: `expected at most evaluationPeriods (${a.evaluationPeriods})`,
      });
    }
    if (a.metric === 'gate-dependency-failure-rate' && !a.dependency) {
      ctx.addIssue({
        code: 'custom',
        path: ['dependency'],
        input: a.dependency,
        message: 'expected the dependency whose failure rate this alarm watches',
      });
    }
    if (a.metric.startsWith('gate-') ? false : a.periodSeconds < 60) {
      ctx.addIssue({
        code: 'custom',
        path: ['periodSeconds'],
        input: a.periodSeconds,
        message: 'expected 60 or more: only the gate publishes high-resolution metrics',
      });
    }
  });
export type AlarmConfig = z.infer<typeof AlarmSchema>;

export const DegradationLevelSchema = z
  .object({
    level: z.number().int().min(1).max(9),
    /** Classes refused (or answered with their fallback) at this level. `critical` is never shed. */
    shed: z.array(z.enum(['high', 'normal', 'low'])).min(1),
  })
  .strict();

export const ControllerSchema = z
  .object({
    /** How long every alarm asking for a level must stay calm before the level steps down by one. */
    calmPeriodSeconds: z.number().int().min(10).max(3600).default(120),
    /** How long a breaker's alarm must stay calm before the breaker closes. */
    breakerCalmSeconds: z.number().int().min(10).max(3600).default(60),
    /** The longest a manual override may last. */
    maxOverrideSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(4 * 3600),
  })
  .strict();
