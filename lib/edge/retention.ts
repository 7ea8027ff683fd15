/**
 * Validation of retention periods given as a Duration (S3 lifecycle expirations count whole days).
 */
import type { Duration } from 'aws-cdk-lib';

/** Throws unless `value` is a whole number of days, at least one; `prop` names the prop in the message. */
export function requireWholeDays(prop: string, value: Duration): void {
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `${prop}: got ${value.toHumanString()}; expected a whole number of days, at least 1 (an S3 lifecycle expiration)`,
    );
  }
}
