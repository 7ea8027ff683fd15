/**
 * The sale day the rehearsal replays: who comes, how fast, and what goes wrong. Phase times are
 * shares of the run (0 = start, 1 = end), so one profile fits a 20 s smoke run and a two-minute
 * rehearsal alike. A profile file is JSON validated by the schema below; every field has a default
 * so a file only states what it changes.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** What a visitor does; each action is one request on one storefront route. */
export const SHOPPER_ACTIONS = [
  'list-products',
  'view-product',
  'add-to-cart',
  'checkout',
  'recommendations',
  'page',
] as const;
export type ShopperAction = (typeof SHOPPER_ACTIONS)[number];

const share = () => z.number().min(0).max(1);
const ActionMixSchema = z.partialRecord(z.enum(SHOPPER_ACTIONS), z.number().nonnegative());

const Window = { from: share(), to: share() };

export const SurgePhaseSchema = z
  .object({
    kind: z.literal('surge'),
    ...Window,
    /** Traffic at the top of the surge, as a multiple of the baseline. */
    peakMultiplier: z.number().min(1).max(1000).default(10),
    /** Share of the window spent ramping up (and the same share ramping down at its end). */
    rampShare: z.number().min(0).max(0.5).default(0.3),
  })
  .strict();

export const BotFloodPhaseSchema = z
  .object({
    kind: z.literal('bot-flood'),
    ...Window,
    /** How many user keys the bots share (a handful: they hammer with the same identities). */
    keys: z.number().int().min(1).max(1000).default(2),
    /**
     * Requests per second attempted by all bots together (open loop: sent on schedule whatever the
     * answers), shared evenly by the keys: the default is 1,000 requests per second from each key.
     */
    requestsPerSecond: z.number().positive().max(100_000).default(2000),
    /** What the bots request: checkout (stock hoarding) and the product list (scraping). */
    mix: ActionMixSchema.default({ checkout: 0.7, 'list-products': 0.3 }),
  })
  .strict();

export const SlowRoutePhaseSchema = z
  .object({
    kind: z.literal('slow-route'),
    ...Window,
    /** The storefront route given extra latency (storefront fault injection). */
    route: z.enum(['checkout', 'payments', 'recommendations', 'products']).default('recommendations'),
    latencyMs: z.number().int().min(0).max(60_000).default(2500),
    errorRate: share().default(0),
  })
  .strict();

export const CacheOutagePhaseSchema = z
  .object({
    kind: z.literal('cache-outage'),
    ...Window,
  })
  .strict();

export const PhaseSchema = z.discriminatedUnion('kind', [
  SurgePhaseSchema,
  BotFloodPhaseSchema,
  SlowRoutePhaseSchema,
  CacheOutagePhaseSchema,
]);
export type Phase = z.infer<typeof PhaseSchema>;
export type SurgePhase = z.infer<typeof SurgePhaseSchema>;
export type BotFloodPhase = z.infer<typeof BotFloodPhaseSchema>;
export type SlowRoutePhase = z.infer<typeof SlowRoutePhaseSchema>;
export type CacheOutagePhase = z.infer<typeof CacheOutagePhaseSchema>;

export const TrafficProfileSchema = z
  .object({
    name: z.string().min(1).default('sale-day'),
    baseline: z
      .object({
        /** Requests per second from shoppers before the surge. */
        requestsPerSecond: z.number().positive().max(100_000).default(40),
        /** Distinct shoppers (user keys) the requests are spread over. */
        users: z.number().int().min(1).max(10_000_000).default(5000),
        mix: ActionMixSchema.default({
          'list-products': 0.25,
          'view-product': 0.3,
          'add-to-cart': 0.15,
          checkout: 0.08,
          recommendations: 0.12,
          page: 0.1,
        }),
      })
      .strict()
      .prefault({}),
    /**
     * Hashing rounds per recommendations request in the rehearsal's storefronts (its CPU cost). The
     * default makes the route expensive enough (≈15 ms of CPU) that the 10× surge overloads a laptop
     * the way a sale overloads a fleet, so the gate has something to shed and the alarms something
     * to see; the storefront's own default (3000) is for a shop at rest.
     */
    recommendationsWork: z.number().int().min(0).max(10_000_000).default(12_000),
    /** Units of each product the storefront is seeded with; small enough that the sale sells out. */
    stockPerProduct: z.number().int().min(0).max(1_000_000).default(40),
    /** Requests not answered within this time count as timeouts. */
    requestTimeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** Outstanding requests beyond which the generator records a send as dropped (it cannot keep up). */
    maxOutstanding: z.number().int().positive().max(100_000).default(4000),
    phases: z.array(PhaseSchema).default([
      // Times are shares of the run; at 120 s: surge 7–43 s, bots 18–36 s, slow route 43–52 s,
      // outage 52–72 s, then 48 s of normal traffic to recover and step the level back to 0.
      { kind: 'surge', from: 0.06, to: 0.36, peakMultiplier: 10, rampShare: 0.3 },
      {
        kind: 'bot-flood',
        from: 0.15,
        to: 0.3,
        keys: 2,
        requestsPerSecond: 2000,
        mix: { checkout: 0.7, 'list-products': 0.3 },
      },
      { kind: 'slow-route', from: 0.36, to: 0.43, route: 'recommendations', latencyMs: 2500, errorRate: 0 },
      { kind: 'cache-outage', from: 0.43, to: 0.6 },
    ]),
  })
  .strict()
  .superRefine((profile, ctx) => {
    profile.phases.forEach((phase, index) => {
      if (phase.to <= phase.from) {
        ctx.addIssue({
          code: 'custom',
          path: ['phases', index, 'to'],
          input: phase.to,
          message: `expected to be after from (${phase.from})`,
        });
      }
    });
    const outages = profile.phases.filter((p) => p.kind === 'cache-outage');
    if (outages.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        input: outages.length,
        message: 'expected at most one cache-outage phase',
      });
    }
    const mixTotal = Object.values(profile.baseline.mix).reduce((sum, weight) => sum + (weight ?? 0), 0);
    if (!(mixTotal > 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseline', 'mix'],
        input: profile.baseline.mix,
        message: 'expected at least one action with a positive weight',
      });
    }
  });

export type TrafficProfile = z.infer<typeof TrafficProfileSchema>;
export type ActionMix = z.infer<typeof ActionMixSchema>;

export class InvalidProfileError extends Error {
  readonly code = 'SALEDAY_INVALID_PROFILE';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid traffic profile ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'InvalidProfileError';
  }
}

export function isInvalidProfileError(error: unknown): error is InvalidProfileError {
  return error instanceof InvalidProfileError;
}

/**
 * The same profile at `factor` of its request rates (shoppers and bots), for a fleet smaller than
 * the one the profile was written for: the embedded mode runs one pair where the profile expects
 * several, all in one event loop with the traffic generator.
 */
export function scaleProfileRates(profile: TrafficProfile, factor: number): TrafficProfile {
  return {
    ...profile,
    baseline: { ...profile.baseline, requestsPerSecond: profile.baseline.requestsPerSecond * factor },
    phases: profile.phases.map((phase) =>
      phase.kind === 'bot-flood' ? { ...phase, requestsPerSecond: phase.requestsPerSecond * factor } : phase,
    ),
  };
}

export function defaultProfile(): TrafficProfile {
  return parseProfile({}, 'built-in profile');
}

export function parseProfile(raw: unknown, source = 'inline profile'): TrafficProfile {
  const result = TrafficProfileSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new InvalidProfileError(
    source,
    result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
  );
}

export function loadProfile(file: string): TrafficProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidProfileError(file, [`cannot read it as JSON: ${(error as Error).message}`]);
  }
  return parseProfile(raw, file);
}

/** A phase window in milliseconds from the start of the run. */
export interface PhaseWindowMs {
  startMs: number;
  endMs: number;
}

export function phaseWindowMs(phase: Pick<Phase, 'from' | 'to'>, durationMs: number): PhaseWindowMs {
  return { startMs: Math.round(phase.from * durationMs), endMs: Math.round(phase.to * durationMs) };
}

/** The shopper traffic multiplier at `elapsedMs`: 1 outside surges, ramping linearly up to each surge's peak. */
export function shopperMultiplierAt(profile: TrafficProfile, elapsedMs: number, durationMs: number): number {
  let multiplier = 1;
  for (const phase of profile.phases) {
    if (phase.kind !== 'surge') continue;
    const { startMs, endMs } = phaseWindowMs(phase, durationMs);
    if (elapsedMs < startMs || elapsedMs >= endMs) continue;
    const rampMs = (endMs - startMs) * phase.rampShare;
    const intoWindow = elapsedMs - startMs;
    const untilEnd = endMs - elapsedMs;
    const rampPosition = rampMs <= 0 ? 1 : Math.min(1, intoWindow / rampMs, untilEnd / rampMs);
    multiplier = Math.max(multiplier, 1 + (phase.peakMultiplier - 1) * rampPosition);
  }
  return multiplier;
}

/** The bot floods under way at `elapsedMs`. */
export function activeBotFloods(profile: TrafficProfile, elapsedMs: number, durationMs: number): BotFloodPhase[] {
  return profile.phases.filter((phase): phase is BotFloodPhase => {
    if (phase.kind !== 'bot-flood') return false;
    const { startMs, endMs } = phaseWindowMs(phase, durationMs);
    return elapsedMs >= startMs && elapsedMs < endMs;
  });
}

/** Normalises an action mix into cumulative weights for sampling. */
export function cumulativeMix(mix: ActionMix): { action: ShopperAction; upTo: number }[] {
  const entries = SHOPPER_ACTIONS.map((action) => ({ action, weight: mix[action] ?? 0 })).filter((e) => e.weight > 0);
  const total = entries.reduce((sum, e) => sum + e.weight, 0);
  let running = 0;
  return entries.map((e) => {
    running += e.weight / total;
    return { action: e.action, upTo: running };
  });
}

export function pickAction(cumulative: { action: ShopperAction; upTo: number }[], random: number): ShopperAction {
  for (const entry of cumulative) if (random < entry.upTo) return entry.action;
  return cumulative[cumulative.length - 1]!.action;
}
