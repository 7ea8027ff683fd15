/**
 * The config's `routes`: what the gate and the edge know about each path of the shop (priority
 * class, dependencies, rate limit, caching, fallback, timeout).
 */
import { z } from 'zod';
import { PRIORITY_CLASSES } from '../priority-classes';
import { positiveInt, slug } from './schema-primitives';

export const PrioritySchema = z.enum(PRIORITY_CLASSES);

/**
 * Reads (GET or HEAD without a body) go to the app while their decision is at Redis rather than
 * after it; the client's answer still waits for the decision (gate/proxy/speculative-reads.ts).
 * Off unless set.
 */
const speculative = () => z.boolean().optional();
const TokenBucketPolicy = z
  .object({
    algorithm: z.literal('token-bucket'),
    capacity: positiveInt(),
    refillPerSecond: z.number().positive(),
    speculative: speculative(),
  })
  .strict();
const GcraPolicy = z
  .object({
    algorithm: z.literal('gcra'),
    ratePerSecond: z.number().positive(),
    burst: positiveInt(),
    speculative: speculative(),
  })
  .strict();
const ConcurrencyPolicy = z
  .object({ algorithm: z.literal('concurrency'), maxInFlight: positiveInt(), leaseMs: positiveInt().default(30_000) })
  .strict();
export const RateLimitPolicySchema = z.discriminatedUnion('algorithm', [
  TokenBucketPolicy,
  GcraPolicy,
  ConcurrencyPolicy,
]);
export type RateLimitPolicy = z.infer<typeof RateLimitPolicySchema>;

export const FallbackSchema = z
  .object({
    /** `last-good`: the last successful 200 body of this route; `static`: the body below. */
    kind: z.enum(['last-good', 'static']),
    status: z.number().int().min(200).max(299).default(200),
    body: z.unknown().optional(),
  })
  .strict();

export const RouteSchema = z
  .object({
    name: slug(),
    /** Path pattern: exact (`/api/cart`), prefix (`/assets/*`) or with parameters (`/api/products/:id`). */
    path: z
      .string()
      .regex(
        /^\/[A-Za-z0-9_\-./:*]*$/,
        'expected a path starting with / (parameters as :name, a trailing * for a prefix)',
      ),
    methods: z
      .array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']))
      .min(1)
      .optional(),
    priority: PrioritySchema,
    /** Dependencies this route needs; an open breaker on any of them short-circuits it. */
    dependencies: z.array(slug()).default([]),
    rateLimit: RateLimitPolicySchema.optional(),
    /** none: never cached; static: long TTL at the edge; semi-static: short TTL, stale-while-revalidate. */
    cache: z.enum(['none', 'static', 'semi-static']).default('none'),
    fallback: FallbackSchema.optional(),
    timeoutMs: positiveInt().max(60_000).default(5_000),
    /** Cost in rate-limit units of one request on this route. */
    cost: positiveInt().default(1),
    /** Largest request body the gate lets through on this route (what the app accepts); omitted means gate.maxBodyBytes. */
    maxBodyBytes: positiveInt().optional(),
    /** Whose quota a request spends: the established identity (user or anonymous IP key), or always the client IP (session minting). */
    limitBy: z.enum(['identity', 'ip']).default('identity'),
  })
  .strict();
export type RouteConfig = z.infer<typeof RouteSchema>;
