/**
 * A person's override is a set of levers (the level, each breaker), and each lever keeps its own
 * expiry: opening the payments breaker for 10 minutes must not cut short a level forced for 15.
 * The document keeps them in `override.levelExpiresAt` and `override.breakerExpiresAt`;
 * `override.expiresAt` is the latest of them (when the whole override is gone). A document written
 * before levers had their own expiry has only `expiresAt`, which then applies to every lever.
 */
import type { FlagsOverride } from '../../contracts/flags/flags-document';
import type { OverrideCommand } from './controller-commands';

export interface LeverExpiries {
  /** When the forced level ends (undefined: the override forces no level). */
  level?: string;
  /** When each forced breaker ends. */
  breakers: Record<string, string>;
}

export function leverExpiries(override: FlagsOverride): LeverExpiries {
  const breakers: Record<string, string> = {};
  for (const dependency of Object.keys(override.breakers ?? {}))
    breakers[dependency] = override.breakerExpiresAt?.[dependency] ?? override.expiresAt;
  return {
    ...(override.level === undefined ? {} : { level: override.levelExpiresAt ?? override.expiresAt }),
    breakers,
  };
}

/** Removes the levers whose time is up; the whole override when none is left. */
export function expireLevers(
  override: FlagsOverride | null,
  now: Date,
): { override: FlagsOverride | null; changes: string[] } {
  if (!override) return { override, changes: [] };
  const expiries = leverExpiries(override);
  const over = (iso: string) => Date.parse(iso) <= now.getTime();
  const levelOver = expiries.level !== undefined && over(expiries.level);
  const breakersOver = Object.keys(expiries.breakers).filter((d) => over(expiries.breakers[d]!));
  const leversLeft =
    (expiries.level !== undefined && !levelOver ? 1 : 0) + Object.keys(expiries.breakers).length - breakersOver.length;
  if (leversLeft === 0)
    return { override: null, changes: [`override by ${override.actor} expired (${override.reason})`] };
  if (!levelOver && breakersOver.length === 0) return { override, changes: [] };

  const changes: string[] = [];
  const kept: LeverExpiries = { breakers: {} };
  if (expiries.level !== undefined && !levelOver) kept.level = expiries.level;
  if (levelOver)
    changes.push(`override of level ${override.level} by ${override.actor} expired; its other levers stay`);
  const breakers: Record<string, boolean> = {};
  for (const [dependency, open] of Object.entries(override.breakers ?? {})) {
    if (breakersOver.includes(dependency)) {
      changes.push(`override of breaker ${dependency} by ${override.actor} expired; its other levers stay`);
      continue;
    }
    breakers[dependency] = open;
    kept.breakers[dependency] = expiries.breakers[dependency]!;
  }
  return {
    override: withExpiries({ ...override, level: levelOver ? undefined : override.level, breakers }, kept),
    changes,
  };
}

/** The override after a person's command: the levers it names get `ttlSeconds` from now, the others keep their expiry. */
export function applyOverrideCommand(
  override: FlagsOverride | null,
  command: OverrideCommand,
  ttlSeconds: number,
  now: Date,
): FlagsOverride {
  const until = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  const expiries = override ? leverExpiries(override) : { breakers: {} };
  if (command.level !== undefined) expiries.level = until;
  for (const dependency of Object.keys(command.breakers ?? {})) expiries.breakers[dependency] = until;
  const level = command.level ?? override?.level;
  const breakers = command.breakers || override?.breakers ? { ...override?.breakers, ...command.breakers } : undefined;
  return withExpiries(
    { level, breakers, expiresAt: until, reason: command.reason, actor: command.actor, setAt: now.toISOString() },
    expiries,
  );
}

/** The levers' expiries written into the override, `expiresAt` the latest; absent fields left out. */
function withExpiries(base: FlagsOverride, expiries: LeverExpiries): FlagsOverride {
  const breakerEntries = Object.entries(base.breakers ?? {});
  const all = [
    ...(base.level === undefined || expiries.level === undefined ? [] : [expiries.level]),
    ...breakerEntries.map(([d]) => expiries.breakers[d]!),
  ];
  const latest = all.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  const result: FlagsOverride = { expiresAt: latest, reason: base.reason, actor: base.actor, setAt: base.setAt };
  if (base.level !== undefined) {
    result.level = base.level;
    result.levelExpiresAt = expiries.level;
  }
  if (breakerEntries.length > 0) {
    result.breakers = Object.fromEntries(breakerEntries);
    result.breakerExpiresAt = Object.fromEntries(breakerEntries.map(([d]) => [d, expiries.breakers[d]!]));
  }
  return result;
}

/** "level 3 until T" when every lever ends together, else each lever with its own end. */
export function describeLevers(override: FlagsOverride): string {
  const expiries = leverExpiries(override);
  const levers: [string, string][] = [];
  if (override.level !== undefined && expiries.level !== undefined)
    levers.push([`level ${override.level}`, expiries.level]);
  for (const [dependency, open] of Object.entries(override.breakers ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    levers.push([`breaker ${dependency} ${open ? 'open' : 'closed'}`, expiries.breakers[dependency]!]);
  }
  if (new Set(levers.map(([, until]) => until)).size <= 1)
    return `${levers.map(([name]) => name).join(', ')} until ${override.expiresAt}`;
  return levers.map(([name, until]) => `${name} until ${until}`).join(', ');
}
