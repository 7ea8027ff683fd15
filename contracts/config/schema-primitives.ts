/**
 * Small value schemas the config's sections share (counts, shares, names, local times, time zones).
 */
import { z } from 'zod';
import { checkCalendarDateTime } from './window-rules';

export const positiveInt = () => z.number().int().positive();
export const share = () => z.number().min(0).max(1);
/** Names that end up in CloudFormation logical IDs, metric dimensions and Redis keys. */
export const slug = () =>
  z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,39}$/,
      'expected a lower-case name of letters, digits and dashes, starting with a letter (at most 40)',
    );

/** A local wall-clock time without offset, e.g. 2026-11-27T09:00; the window's timeZone gives it meaning. */
export const localDateTime = () =>
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/,
      'expected a local date-time like 2026-11-27T09:00 (no offset; see timeZone)',
    )
    .superRefine(checkCalendarDateTime);

export const timeZone = () =>
  z.string().refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'expected an IANA time zone such as Europe/Paris or UTC' },
  );
