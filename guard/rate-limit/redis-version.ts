/**
 * The oldest server the rate scripts run on: they write a fresh key with `SET … NX GET`, which
 * Redis accepts from 7.0 (6.2 refuses NX together with GET). Valkey reports a `redis_version` of
 * 7.2.4 for compatibility, so every Valkey passes.
 */
export const MINIMUM_REDIS_VERSION = [7, 0] as const;

/**
 * Reads `INFO server` and says what is wrong with the server for the rate scripts, or undefined
 * when it is recent enough (or does not say its version: a proxy may hide it, and then the scripts
 * are the judge).
 */
export function redisVersionProblem(infoServer: string): string | undefined {
  const match = /^redis_version:(\d+)\.(\d+)/m.exec(infoServer);
  if (!match) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const [needMajor, needMinor] = MINIMUM_REDIS_VERSION;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `Redis ${major}.${minor} is too old for the rate limits: they need Redis ${needMajor}.${needMinor} or later, or Valkey (SET with both NX and GET); every decision falls back to the local limiter`;
}
