/**
 * How flags versions are made and ordered. A version embeds the writer's clock, so it stays
 * monotonic when the stored document is lost (a node restarted empty, a failover that dropped the
 * last writes): a controller that starts again from nothing writes a version above every version
 * written before it, instead of counting again from 1, which every gate would ignore as older.
 */

/**
 * The version of the next document: one above the previous, or the writer's clock in milliseconds
 * when that is higher. A clock behind the previous writer's only makes the version grow by one.
 */
export function nextFlagsVersion(previous: number, nowMs: number): number {
  return Math.max(previous + 1, Math.floor(nowMs));
}

/** The order gates and the store apply: a document is newer when its version is higher. */
export function isNewerFlagsVersion(candidate: number, current: number): boolean {
  return candidate > current;
}
