/**
 * The flag controller's decision: a pure function of (alarm states, current document, command,
 * now). No AWS SDK, no I/O, no clock of its own, so the Lambda, the CLI levers and the local
 * rehearsal all decide the same way, and every rule is a table test.
 *
 * Two layers make the effective flags:
 * - automatic, from the alarms (kept in `automatic` of the document): the level is the highest an
 *   alarm in ALARM asks for; it rises at once and falls one step at a time, each step after
 *   `calmPeriodSeconds` without any alarm asking for the current level or above (and at least that
 *   long after the previous change). A breaker opens at once while its alarm is in ALARM and closes
 *   after `breakerCalmSeconds` without it.
 * - a person's override: while unexpired, its level and breakers win; the automatic layer keeps
 *   evolving underneath, so when the override expires (or is cleared) the flags follow the alarms.
 *
 * Choices worth knowing:
 * - INSUFFICIENT_DATA counts as not in ALARM: a metric that stops reporting must not hold the sale
 *   degraded forever; the calm period still delays recovery.
 * - Alarms whose name is not in `effects` (another sale's, or one removed from the config) and
 *   alarms whose effect is `notify` do not move any flag.
 * - "Calm since" is the last cycle that saw the alarm in ALARM (`automatic.lastHotAt`), so while an
 *   alarm stays in ALARM each cycle rewrites that bookkeeping (a new version, no history entry).
 */
import type { AlarmEffect } from '../../contracts/config/schema';
import {
  openBreakers,
  type BreakerFlag,
  type FlagsDocument,
  type FlagsOverride,
} from '../../contracts/flags/flags-document';
import { nextFlagsVersion } from '../../contracts/flags/flags-version';
import type { ControllerCommand } from './controller-commands';
import { applyOverrideCommand, describeLevers, expireLevers } from './override-levers';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmState {
  /** The full CloudWatch alarm name (cloudWatchAlarmName() of the config's alarm). */
  name: string;
  state: AlarmStateValue;
  /** When the alarm entered its current state (informative; decide() does not depend on it). */
  updatedAt: Date;
}

/** An alarm name and what it does when in ALARM (from the config). */
export interface AlarmEffectBinding {
  name: string;
  effect: AlarmEffect;
}

export interface DecidePolicy {
  calmPeriodSeconds: number;
  breakerCalmSeconds: number;
  /** Overrides asking for longer are shortened to this (and the reason says so). */
  maxOverrideSeconds?: number;
  /** The configured degradation levels; recovery steps through them. Default: every integer. */
  levels?: readonly number[];
}

export interface DecideInput {
  /**
   * Every alarm of the sale as read now. Undefined means "not known in this cycle" (the CLI levers
   * against a local Redis): the automatic layer is then left exactly as stored.
   */
  alarms?: readonly AlarmState[];
  effects: readonly AlarmEffectBinding[];
  current: FlagsDocument;
  now: Date;
  policy: DecidePolicy;
  command?: ControllerCommand;
}

export interface Decision {
  /** The document to write (version = nextFlagsVersion(current.version, now)), or undefined when nothing changes. */
  next: FlagsDocument | undefined;
  /** Human-readable changes of the flags or the override, oldest cause first (empty for bookkeeping-only writes). */
  changes: string[];
}

type Automatic = NonNullable<FlagsDocument['automatic']>;

const HISTORY_LIMIT = 20;
const levelKey = (level: number) => `level:${level}`;
const breakerKey = (dependency: string) => `breaker:${dependency}`;

export function decide(input: DecideInput): Decision {
  const { current, now } = input;
  const previousAuto = automaticOf(current);
  const auto = evolveAutomatic(input, previousAuto);
  const overridden = applyOverrideLayer(input);
  const { override } = overridden;
  const level = effectiveLevel(current, override, previousAuto, auto);
  const breakers = effectiveBreakers(current, override, previousAuto, auto, now.toISOString());
  const changes = [...overridden.changes, ...level.changes, ...breakers.changes];

  const nextAutomatic: Automatic = {
    level: auto.level,
    levelChangedAt: auto.levelChangedAt,
    lastHotAt: auto.lastHotAt,
    breakers: auto.breakers,
  };
  const unchanged =
    changes.length === 0 &&
    canonical(nextAutomatic) === canonical(previousAuto) &&
    canonical(override) === canonical(current.override ?? null);
  if (unchanged) return { next: undefined, changes: [] };
  const next = nextDocument(input, {
    level: level.level,
    breakers: breakers.breakers,
    override,
    automatic: nextAutomatic,
    changes,
  });
  return { next, changes };
}

/** The override layer: expiry first (each lever on its own), then the person's command. */
function applyOverrideLayer(input: DecideInput): { override: FlagsOverride | null; changes: string[] } {
  const { current, now, policy } = input;
  const expiry = expireLevers(current.override ?? null, now);
  let override: FlagsOverride | null = expiry.override;
  const changes = [...expiry.changes];
  if (input.command?.action === 'override') {
    const command = input.command;
    const ttl =
      policy.maxOverrideSeconds === undefined
        ? command.ttlSeconds
        : Math.min(command.ttlSeconds, policy.maxOverrideSeconds);
    override = applyOverrideCommand(override, command, ttl, now);
    const capped = ttl < command.ttlSeconds ? ` (asked ${command.ttlSeconds} s, capped at ${ttl} s)` : '';
    changes.push(`override by ${command.actor} for ${ttl} s${capped}, ${describeLevers(override)}: ${command.reason}`);
  } else if (input.command?.action === 'clear' && override) {
    changes.push(`override by ${override.actor} cleared by ${input.command.actor}: ${input.command.reason}`);
    override = null;
  }
  return { override, changes };
}

/** The effective level (the override's, else the alarms'), and why it moved. */
function effectiveLevel(
  current: FlagsDocument,
  override: FlagsOverride | null,
  previousAuto: Automatic,
  auto: EvolvedAutomatic,
): { level: number; changes: string[] } {
  const level = override?.level ?? auto.level;
  const autoLevelMoved = auto.level !== previousAuto.level;
  const changes: string[] = [];
  if (level !== current.level) {
    const cause =
      override?.level !== undefined
        ? `override by ${override.actor}`
        : autoLevelMoved
          ? auto.cause
          : `override ended; the alarms ask for level ${auto.level}`;
    changes.push(`level ${current.level} → ${level}: ${cause}`);
  } else if (autoLevelMoved && override?.level !== undefined) {
    changes.push(
      `automatic level ${previousAuto.level} → ${auto.level} (${auto.cause}); the override keeps level ${override.level}`,
    );
  }
  return { level, changes };
}

/** The effective breakers (the override's, else the alarms'), and why each one moved. */
function effectiveBreakers(
  current: FlagsDocument,
  override: FlagsOverride | null,
  previousAuto: Automatic,
  auto: EvolvedAutomatic,
  nowIso: string,
): { breakers: Record<string, BreakerFlag>; changes: string[] } {
  const breakers: Record<string, BreakerFlag> = {};
  const changes: string[] = [];
  const dependencies = new Set([
    ...Object.keys(current.breakers),
    ...Object.keys(auto.breakers),
    ...Object.keys(override?.breakers ?? {}),
  ]);
  for (const dependency of [...dependencies].sort()) {
    const forced = override?.breakers?.[dependency];
    const automatic = auto.breakers[dependency] ?? false;
    const open = forced ?? automatic;
    const before = current.breakers[dependency];
    const autoMoved = automatic !== (previousAuto.breakers[dependency] ?? false);
    const autoCause = auto.breakerCauses.get(dependency) ?? 'alarm state';
    if ((before?.open ?? false) === open) {
      if (before) breakers[dependency] = before;
      if (autoMoved && forced !== undefined) {
        changes.push(
          `automatic breaker ${dependency} ${automatic ? 'opened' : 'closed'} (${autoCause}); the override keeps it ${forced ? 'open' : 'closed'}`,
        );
      }
      continue;
    }
    const cause =
      forced !== undefined
        ? `override by ${override?.actor}`
        : autoMoved
          ? autoCause
          : 'override ended; the alarms decide again';
    const message = `breaker ${dependency} ${open ? 'opened' : 'closed'}: ${cause}`;
    changes.push(message);
    breakers[dependency] = { open, since: nowIso, reason: message };
  }
  return { breakers, changes };
}

/** The document to write: a new version, with a history entry when the flags or the override changed. */
function nextDocument(
  input: DecideInput,
  decided: Pick<FlagsDocument, 'level' | 'breakers' | 'override'> & { automatic: Automatic; changes: string[] },
): FlagsDocument {
  const { current, now } = input;
  const { level, changes } = decided;
  const nowIso = now.toISOString();
  const version = nextFlagsVersion(current.version, now.getTime());
  const reason = changes.length > 0 ? changes.join('; ') : current.reason;
  const next: FlagsDocument = {
    version,
    level,
    breakers: decided.breakers,
    updatedAt: nowIso,
    reason,
    override: decided.override,
    automatic: decided.automatic,
    history: current.history,
  };
  if (changes.length > 0) {
    next.history = [{ at: nowIso, version, level, openBreakers: openBreakers(next), reason }, ...current.history].slice(
      0,
      HISTORY_LIMIT,
    );
  }
  return next;
}

interface EvolvedAutomatic extends Automatic {
  /** Why the automatic level moved (when it did). */
  cause: string;
  breakerCauses: Map<string, string>;
}

/** The automatic layer of a document; a document without one is taken as the alarms' doing. */
function automaticOf(doc: FlagsDocument): Automatic {
  if (doc.automatic) return doc.automatic;
  const breakers: Record<string, boolean> = {};
  for (const [dependency, flag] of Object.entries(doc.breakers)) {
    if (doc.override?.breakers?.[dependency] === undefined) breakers[dependency] = flag.open;
  }
  return {
    level: doc.override?.level === undefined ? doc.level : 0,
    levelChangedAt: doc.updatedAt,
    lastHotAt: {},
    breakers,
  };
}

function evolveAutomatic(input: DecideInput, previous: Automatic): EvolvedAutomatic {
  const evolved: EvolvedAutomatic = {
    level: previous.level,
    levelChangedAt: previous.levelChangedAt,
    lastHotAt: { ...previous.lastHotAt },
    breakers: { ...previous.breakers },
    cause: '',
    breakerCauses: new Map(),
  };
  if (input.alarms === undefined) return evolved;

  const { now, policy } = input;
  const nowIso = now.toISOString();
  const effectByName = new Map(input.effects.map((binding) => [binding.name, binding.effect]));
  const hotLevels = new Map<number, string[]>();
  const hotBreakers = new Map<string, string[]>();
  const knownDependencies = new Set<string>();
  for (const binding of input.effects) {
    if (binding.effect.type === 'breaker') knownDependencies.add(binding.effect.dependency);
  }
  for (const alarm of input.alarms) {
    const effect = effectByName.get(alarm.name);
    if (alarm.state !== 'ALARM' || effect === undefined) continue;
    if (effect.type === 'degrade') hotLevels.set(effect.level, [...(hotLevels.get(effect.level) ?? []), alarm.name]);
    if (effect.type === 'breaker')
      hotBreakers.set(effect.dependency, [...(hotBreakers.get(effect.dependency) ?? []), alarm.name]);
  }
  for (const level of hotLevels.keys()) evolved.lastHotAt[levelKey(level)] = nowIso;
  for (const dependency of hotBreakers.keys()) evolved.lastHotAt[breakerKey(dependency)] = nowIso;

  const asked = Math.max(0, ...hotLevels.keys());
  if (asked > previous.level) {
    evolved.level = asked;
    evolved.levelChangedAt = nowIso;
    evolved.cause = `${describeAlarms(hotLevels.get(asked))} in ALARM`;
  } else if (asked < previous.level) {
    const hotTimes = Object.entries(previous.lastHotAt)
      .filter(([key]) => key.startsWith('level:') && Number(key.slice('level:'.length)) >= previous.level)
      .map(([, at]) => Date.parse(at));
    const calmSince = Math.max(Date.parse(previous.levelChangedAt), ...hotTimes);
    if (now.getTime() - calmSince >= policy.calmPeriodSeconds * 1000) {
      evolved.level = Math.max(asked, stepBelow(previous.level, policy.levels));
      evolved.levelChangedAt = nowIso;
      evolved.cause = `no alarm asked for level ${previous.level} or above for ${policy.calmPeriodSeconds} s`;
    }
  }

  for (const dependency of new Set([...knownDependencies, ...Object.keys(previous.breakers)])) {
    const hot = hotBreakers.get(dependency);
    if (hot) {
      if (!previous.breakers[dependency]) {
        evolved.breakers[dependency] = true;
        evolved.breakerCauses.set(dependency, `${describeAlarms(hot)} in ALARM`);
      }
      continue;
    }
    if (!previous.breakers[dependency]) continue;
    const lastHot = previous.lastHotAt[breakerKey(dependency)] ?? previous.levelChangedAt;
    if (now.getTime() - Date.parse(lastHot) >= policy.breakerCalmSeconds * 1000) {
      evolved.breakers[dependency] = false;
      evolved.breakerCauses.set(dependency, `its alarm calm for ${policy.breakerCalmSeconds} s`);
    }
  }
  return evolved;
}

/** The next lower level recovery steps to: the next configured level below, else one less. */
function stepBelow(level: number, levels: readonly number[] | undefined): number {
  if (!levels || levels.length === 0) return Math.max(0, level - 1);
  const lower = levels.filter((l) => l < level);
  return lower.length === 0 ? 0 : Math.max(...lower);
}

function describeAlarms(names: readonly string[] | undefined): string {
  const list = [...(names ?? [])].sort();
  return list.length === 1 ? `alarm ${list[0]}` : `alarms ${list.join(', ')}`;
}

/** JSON with sorted keys, so equal documents compare equal whatever order their keys were built in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
