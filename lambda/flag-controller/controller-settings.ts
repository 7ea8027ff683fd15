/**
 * What the flag controller needs from the sale config, as the CDK stack passes it in the
 * environment (SALEDAY_CONTROLLER_CONFIG), and how the CLI and the rehearsal derive the same
 * settings from the config file. A bad environment fails at cold start with every problem named.
 */
import { z } from 'zod';
import { cloudWatchAlarmName } from '../../contracts/config/names';
import { AlarmEffectSchema, type SaledayConfig } from '../../contracts/config/schema';
import type { ControllerCommand } from './controller-commands';
import type { AlarmEffectBinding, DecidePolicy } from './decide';

/** Not strict: fields a newer stack adds must not stop an older controller at cold start. */
export const ControllerSettingsSchema = z.object({
  saleName: z.string().min(1),
  /** Full CloudWatch alarm names (cloudWatchAlarmName()) and their effects. */
  alarms: z.array(z.object({ name: z.string().min(1), effect: AlarmEffectSchema })),
  controller: z.object({
    calmPeriodSeconds: z.number().int().positive(),
    breakerCalmSeconds: z.number().int().positive(),
    maxOverrideSeconds: z.number().int().positive(),
  }),
  degradationLevels: z.array(z.number().int().min(1).max(9)),
});
export type ControllerSettings = z.infer<typeof ControllerSettingsSchema>;

export const ControllerEnvironmentSchema = z.object({
  SALEDAY_CONTROLLER_CONFIG: z
    .string({ error: 'expected the controller settings as JSON (set by the CDK stack)' })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `expected JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(ControllerSettingsSchema),
  REDIS_URL: z
    .string({ error: 'expected redis://host:port or rediss://host:port' })
    .regex(/^rediss?:\/\/[^\s]+$/, 'expected redis://host:port or rediss://host:port'),
  /** Absent locally (a Redis without AUTH). */
  REDIS_AUTH_SECRET_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'expected a Secrets Manager secret ARN')
    .optional(),
  /** Absent locally: changes are then only logged. */
  ALARM_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:/, 'expected an SNS topic ARN')
    .optional(),
});
export type ControllerEnvironment = z.infer<typeof ControllerEnvironmentSchema>;

export class ControllerEnvironmentError extends Error {
  readonly code = 'SALEDAY_CONTROLLER_ENVIRONMENT';
  constructor(readonly problems: string[]) {
    super(`flag controller environment is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ControllerEnvironmentError';
  }
}

export function isControllerEnvironmentError(error: unknown): error is ControllerEnvironmentError {
  return error instanceof ControllerEnvironmentError;
}

export function loadControllerEnvironment(env: NodeJS.ProcessEnv): ControllerEnvironment {
  const result = ControllerEnvironmentSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ControllerEnvironmentError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
  );
}

/** The controller settings of a sale config (what the CDK stack serializes into the environment). */
export function controllerSettingsFromConfig(
  config: Pick<SaledayConfig, 'saleName' | 'alarms' | 'controller' | 'degradation'>,
): ControllerSettings {
  return {
    saleName: config.saleName,
    alarms: config.alarms.map((alarm) => ({ name: cloudWatchAlarmName(config, alarm), effect: alarm.effect })),
    controller: { ...config.controller },
    degradationLevels: config.degradation.map((d) => d.level).sort((a, b) => a - b),
  };
}

export function effectsOf(settings: ControllerSettings): AlarmEffectBinding[] {
  return settings.alarms.map((alarm) => ({ name: alarm.name, effect: alarm.effect }));
}

export function policyOf(settings: ControllerSettings): DecidePolicy {
  return { ...settings.controller, levels: settings.degradationLevels };
}

/** Dependencies whose breakers the alarms drive (for metrics that report closed breakers as 0). */
export function breakerDependenciesOf(settings: ControllerSettings): string[] {
  return [
    ...new Set(settings.alarms.flatMap((a) => (a.effect.type === 'breaker' ? [a.effect.dependency] : []))),
  ].sort();
}

/**
 * Checks a person's command against the sale: a configured level, and (when `knownDependencies`
 * is given: the CLI knows every route's dependencies, the Lambda only the alarm-driven ones) a
 * known dependency. Returns the problems, empty when the command fits.
 */
export function commandProblems(
  settings: ControllerSettings,
  command: ControllerCommand,
  knownDependencies?: readonly string[],
): string[] {
  const problems: string[] = [];
  if (command.action !== 'override') return problems;
  if (command.level !== undefined && command.level !== 0 && !settings.degradationLevels.includes(command.level)) {
    problems.push(
      `level: got ${command.level}; expected 0 or a configured degradation level (${settings.degradationLevels.join(', ')})`,
    );
  }
  for (const dependency of Object.keys(command.breakers ?? {})) {
    if (knownDependencies && !knownDependencies.includes(dependency)) {
      problems.push(`breakers.${dependency}: unknown dependency; expected one of ${knownDependencies.join(', ')}`);
    }
  }
  return problems;
}
