/**
 * What every lever command (`saleday flags`, `saleday queue`) reads the same way: who asks, how long
 * the lever lasts, and where it is pulled.
 */
import { InvalidArgumentError } from 'commander';
import { userInfo } from 'node:os';
import { parseDurationSeconds } from '../flags/parse-duration';

export const REDIS_URL_OPTION_HELP =
  'pull the lever directly on this Redis (redis:// or rediss://) instead of invoking the deployed controller';

/** A lever's lifetime in seconds, from 90s, 15m, 2h or 1h30m. */
export function leverDurationSeconds(value: string): number {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined)
    throw new InvalidArgumentError(`got ${JSON.stringify(value)}; expected a duration such as 90s, 15m, 2h or 1h30m`);
  return seconds;
}

/** Who pulls the lever: --actor, else $SALEDAY_ACTOR, else the login name. */
export function leverActor(options: { actor?: string }): string {
  if (options.actor) return options.actor;
  if (process.env.SALEDAY_ACTOR) return process.env.SALEDAY_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
