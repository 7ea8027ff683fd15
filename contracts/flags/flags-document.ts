/**
 * The flags document: the contract between the flag controller (writer) and every gate (reader).
 * Stored as JSON under the key `saleday:flags` and announced on the channel of the same name.
 * `version` only grows; a reader keeps the newest valid document it has seen and ignores older ones.
 */
import { z } from 'zod';

export const FLAGS_KEY = 'saleday:flags';
export const FLAGS_CHANNEL = 'saleday:flags';

const isoTime = z.iso.datetime({ offset: true });

export const BreakerFlagSchema = z
  .object({
    open: z.boolean(),
    /** When the breaker last changed state. */
    since: isoTime,
    reason: z.string(),
  })
  .strict();

export const OverrideSchema = z
  .object({
    /** Forced degradation level, if the override sets one. */
    level: z.number().int().min(0).max(9).optional(),
    /** Breakers forced open (true) or closed (false) by the override. */
    breakers: z.record(z.string(), z.boolean()).optional(),
    expiresAt: isoTime,
    /** When the forced level ends, if not with the whole override (each lever keeps its own expiry). */
    levelExpiresAt: isoTime.optional(),
    /** When each forced breaker ends, if not with the whole override. */
    breakerExpiresAt: z.record(z.string(), isoTime).optional(),
    reason: z.string().min(1),
    actor: z.string().min(1),
    setAt: isoTime,
  })
  .strict();
export type FlagsOverride = z.infer<typeof OverrideSchema>;

export const HistoryEntrySchema = z
  .object({
    at: isoTime,
    version: z.number().int().nonnegative(),
    level: z.number().int().min(0).max(9),
    openBreakers: z.array(z.string()),
    reason: z.string(),
  })
  .strict();

export const FlagsDocumentSchema = z
  .object({
    /** Monotonic: a write with a version not above the stored one is refused. */
    version: z.number().int().nonnegative(),
    /** Effective degradation level (0 = normal); what gates obey. */
    level: z.number().int().min(0).max(9),
    /** Effective breaker state per dependency; a dependency not listed is closed. */
    breakers: z.record(z.string(), BreakerFlagSchema),
    updatedAt: isoTime,
    /** Why the latest change was made. */
    reason: z.string(),
    /** A person's override, if one is active (expired ones are removed by the controller). */
    override: OverrideSchema.nullable().default(null),
    /**
     * The controller's own memory for hysteresis: the level the alarms alone ask for, and when
     * each level / breaker was last asked for. Gates ignore it.
     */
    automatic: z
      .object({
        level: z.number().int().min(0).max(9),
        levelChangedAt: isoTime,
        lastHotAt: z.record(z.string(), isoTime),
        breakers: z.record(z.string(), z.boolean()),
      })
      .strict()
      .optional(),
    /** The last few changes, newest first (at most 20). */
    history: z.array(HistoryEntrySchema).max(20).default([]),
  })
  .strict();

export type FlagsDocument = z.infer<typeof FlagsDocumentSchema>;
export type BreakerFlag = z.infer<typeof BreakerFlagSchema>;

/** The document gates assume before they have read one: level 0, every breaker closed. */
export function initialFlags(now: Date = new Date(0)): FlagsDocument {
  return {
    version: 0,
    level: 0,
    breakers: {},
    updatedAt: now.toISOString(),
    reason: 'initial',
    override: null,
    history: [],
  };
}

export function openBreakers(doc: FlagsDocument): string[] {
  return Object.entries(doc.breakers)
    .filter(([, b]) => b.open)
    .map(([name]) => name)
    .sort();
}

/** Parses untrusted text; returns undefined (never throws) for anything that is not a valid document. */
export function parseFlagsDocument(text: string | null | undefined): FlagsDocument | undefined {
  if (!text) return undefined;
  try {
    const result = FlagsDocumentSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
