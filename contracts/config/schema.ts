/**
 * The one config of a sale: `saleday.config.json`. Every part of saleday reads it through this
 * schema (the CDK stacks, the gate, the controller, the CLI), so a value means the same thing
 * everywhere. Defaults live here and nowhere else.
 */
import { z } from 'zod';
import { checkRequestsPerTargetWithinCapacity, DEFAULT_REQUESTS_PER_TARGET_PER_SECOND, renamedRequestsPerTarget } from './fleet-rules';
import { checkCalendarDateTime, checkWindowEndsAfterStart, checkWindowsDoNotOverlap } from './window-rules';
import { checkCriticalRouteTimeouts } from './critical-route-timeouts';
import { WaitingRoomSchema, checkWaitingRoomAgainstConfig } from './waiting-room-schema';

export const PRIORITY_CLASSES = ['critical', 'high', 'normal', 'low'] as const;
export const PrioritySchema = z.enum(PRIORITY_CLASSES);
export type PriorityClass = z.infer<typeof PrioritySchema>;

const positiveInt = () => z.number().int().positive();
const share = () => z.number().min(0).max(1);
/** Names that end up in CloudFormation logical IDs, metric dimensions and Redis keys. */
const slug = () =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lower-case name of letters, digits and dashes, starting with a letter (at most 40)');

/** A local wall-clock time without offset, e.g. 2026-11-27T09:00; the window's timeZone gives it meaning. */
const localDateTime = () =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'expected a local date-time like 2026-11-27T09:00 (no offset; see timeZone)').superRefine(checkCalendarDateTime);

const timeZone = () =>
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

export const SaleWindowSchema = z
  .object({
    name: slug(),
    start: localDateTime(),
    end: localDateTime(),
    timeZone: timeZone().default('UTC'),
    /** Minutes before `start` at which the fleet and cache are raised to the plan. */
    warmUpMinutes: z.number().int().min(0).max(24 * 60).default(45),
    /** Minutes after `end` before the fleet returns to its baseline. */
    coolDownMinutes: z.number().int().min(0).max(24 * 60).default(60),
  })
  .strict()
  .superRefine(checkWindowEndsAfterStart);
export type SaleWindow = z.infer<typeof SaleWindowSchema>;

export const SlaSchema = z
  .object({
    p99LatencyMs: positiveInt().max(60_000).default(800),
    /** Share of requests that may fail (5xx) before the SLA is breached. */
    errorRate: share().default(0.01),
  })
  .strict();

/** Fargate's valid CPU/memory pairs (MiB), so a bad task size fails here rather than at deploy. */
export const FARGATE_MEMORY_BY_CPU: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

export const FleetSchema = z
  .object({
    cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(1024),
    memoryMiB: positiveInt().default(2048),
    /** Tasks outside sale windows. */
    baselineTasks: positiveInt().default(2),
    /** Tasks raised before each window (from `saleday plan`). */
    plannedTasks: positiveInt().default(12),
    /** Ceiling target tracking may reach during a window. */
    maxTasks: positiveInt().default(40),
    targetCpuPercent: z.number().min(10).max(90).default(55),
    /** Requests per second per task at which target tracking adds tasks (from `saleday plan --write`). */
    requestsPerTargetPerSecond: z.number().positive().default(DEFAULT_REQUESTS_PER_TARGET_PER_SECOND),
    requestsPerTarget: renamedRequestsPerTarget(),
    /** The shop's container: omitted means the reference storefront built from storefront/. */
    appImage: z.string().min(1).optional(),
    appPort: z.number().int().min(1024).max(65535).default(3000),
    gatePort: z.number().int().min(1024).max(65535).default(8080),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (!FARGATE_MEMORY_BY_CPU[f.cpu]?.includes(f.memoryMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryMiB'],
        input: f.memoryMiB,
        message: `expected one of ${FARGATE_MEMORY_BY_CPU[f.cpu]?.join(', ')} MiB for cpu ${f.cpu}`,
      });
    }
    if (f.plannedTasks < f.baselineTasks) {
      ctx.addIssue({ code: 'custom', path: ['plannedTasks'], input: f.plannedTasks, message: `expected at least baselineTasks (${f.baselineTasks})` });
    }
    if (f.maxTasks < f.plannedTasks) {
      ctx.addIssue({ code: 'custom', path: ['maxTasks'], input: f.maxTasks, message: `expected at least plannedTasks (${f.plannedTasks})` });
    }
    if (f.appPort === f.gatePort) {
      ctx.addIssue({ code: 'custom', path: ['appPort'], input: f.appPort, message: 'expected a port different from gatePort' });
    }
  });

export const CacheSchema = z
  .object({
    engine: z.enum(['valkey', 'redis']).default('valkey'),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'expected an ElastiCache node type such as cache.r7g.large').default('cache.r7g.large'),
    /** Read replicas per shard; at least one for Multi-AZ automatic failover. */
    replicas: z.number().int().min(1).max(5).default(1),
    /** A non-default port (6379 is what scanners try first). */
    port: z.number().int().min(1024).max(65535).refine((p) => p !== 6379, 'expected a non-default port (not 6379)').default(6380),
  })
  .strict();

/**
 * Reads (GET or HEAD without a body) go to the app while their decision is at Redis rather than
 * after it; the client's answer still waits for the decision (gate/proxy/speculative-reads.ts).
 * Off unless set.
 */
const speculative = () => z.boolean().optional();
const TokenBucketPolicy = z
  .object({ algorithm: z.literal('token-bucket'), capacity: positiveInt(), refillPerSecond: z.number().positive(), speculative: speculative() })
  .strict();
const GcraPolicy = z
  .object({ algorithm: z.literal('gcra'), ratePerSecond: z.number().positive(), burst: positiveInt(), speculative: speculative() })
  .strict();
const ConcurrencyPolicy = z
  .object({ algorithm: z.literal('concurrency'), maxInFlight: positiveInt(), leaseMs: positiveInt().default(30_000) })
  .strict();
export const RateLimitPolicySchema = z.discriminatedUnion('algorithm', [TokenBucketPolicy, GcraPolicy, ConcurrencyPolicy]);
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
    path: z.string().regex(/^\/[A-Za-z0-9_\-./:*]*$/, 'expected a path starting with / (parameters as :name, a trailing * for a prefix)'),
    methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1).optional(),
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

export const IdentitySchema = z
  .object({
    /** Where the user key travels: a header or a cookie (one of the two). */
    header: z.string().regex(/^[a-z0-9-]+$/, 'expected a lower-case header name').optional(),
    cookie: z.string().regex(/^[A-Za-z0-9_\-.]+$/, 'expected a cookie name').optional(),
    /**
     * none: the key is trusted as sent (fine behind an authenticating layer); jwt: the key is the
     * `sub` of an HS256 JWT; hmac: the value is `<key>.<base64url HMAC-SHA256(key)>`. An unproven key
     * counts as the client IP. The example config uses hmac with the `saleday-session` cookie the
     * reference storefront mints at POST /api/session; keep none for an app whose own auth layer, in
     * front of the gate, sets the header and strips any copy the client sent.
     */
    proof: z.enum(['none', 'jwt', 'hmac']).default('none'),
    /** Environment variable holding the secret for jwt/hmac (never the secret itself). */
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name').default('SALEDAY_IDENTITY_SECRET'),
    /** How many X-Forwarded-For hops our own infrastructure appends (CloudFront, ALB). */
    trustedProxyHops: z.number().int().min(0).max(5).default(2),
  })
  .strict()
  .superRefine((id, ctx) => {
    if ((id.header === undefined) === (id.cookie === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['header'], input: id.header, message: 'expected exactly one of header or cookie to carry the user key' });
    }
  });
export type IdentityConfig = z.infer<typeof IdentitySchema>;

export const WafSchema = z
  .object({
    /**
     * Requests per IP per window on every path but the static-asset routes (AWS minimum 10). One
     * carrier-NAT address can carry a hundred shoppers at once, each making about 20 page and API
     * requests a minute in a drop: 100 × 20 × 5 minutes = 10,000 in the default 5-minute window.
     * @default 10000
     */
    perIpLimit: z.number().int().min(10).max(2_000_000_000).default(10_000),
    /** Requests per IP per window on the critical (checkout) paths, whatever the user key. @default 50 */
    criticalPerIpLimit: z.number().int().min(10).max(2_000_000_000).default(50),
    /**
     * What the critical-path rules do to a request over a limit or without a user key: `block`, or
     * `captcha` (a person can go on; the shop's checkout call must handle the CAPTCHA, see README).
     * @default "block"
     */
    criticalAction: z.enum(['block', 'captcha']).default('block'),
    /** Requests per user key per window. */
    perUserKeyLimit: z.number().int().min(10).max(2_000_000_000).default(1500),
    /** Tighter per-user-key limit on critical (checkout) paths. */
    checkoutPerUserKeyLimit: z.number().int().min(10).max(2_000_000_000).default(100),
    windowSeconds: z.union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)]).default(300),
    /**
     * AWS WAF Bot Control (extra cost per request): `common` (self-identifying bots; `true` means
     * this) or `targeted` (also browser-fingerprint and behaviour checks that challenge clients without
     * a valid aws-waf-token; the shop's pages must load the WAF JavaScript integration). @default false
     */
    botControl: z.union([z.boolean(), z.enum(['common', 'targeted'])]).default(false),
    /** AWS WAF anti-DDoS managed rule group (extra cost). */
    antiDdos: z.boolean().default(false),
    logRetentionDays: z.number().int().positive().default(30),
  })
  .strict();

/** Metrics an alarm can watch; lib/observability maps each to CloudWatch, the rehearsal to gate metrics. */
export const ALARM_METRICS = [
  'alb-p99-latency-ms',
  'alb-5xx-rate',
  'fleet-cpu-percent',
  'fleet-memory-percent',
  'cache-engine-cpu-percent',
  'cache-memory-percent',
  'cache-connections',
  'gate-shed-rate',
  'gate-queue-delay-ms',
  'gate-dependency-failure-rate',
] as const;
export const AlarmMetricSchema = z.enum(ALARM_METRICS);
export type AlarmMetric = z.infer<typeof AlarmMetricSchema>;

export const AlarmEffectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('degrade'), level: z.number().int().min(1).max(9) }).strict(),
  z.object({ type: z.literal('breaker'), dependency: slug() }).strict(),
  z.object({ type: z.literal('notify') }).strict(),
]);
export type AlarmEffect = z.infer<typeof AlarmEffectSchema>;

export const AlarmSchema = z
  .object({
    name: slug(),
    metric: AlarmMetricSchema,
    /** For gate-dependency-failure-rate: which dependency. */
    dependency: slug().optional(),
    threshold: z.number().nonnegative(),
    comparison: z.enum(['greater', 'less']).default('greater'),
    /** 10 or 30 (high resolution, gate metrics) or a multiple of 60. */
    periodSeconds: z.number().int().refine((p) => p === 10 || p === 30 || (p >= 60 && p % 60 === 0), 'expected 10, 30 or a multiple of 60').default(60),
    evaluationPeriods: positiveInt().max(100).default(3),
    datapointsToAlarm: positiveInt().max(100).default(2),
    effect: AlarmEffectSchema,
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.datapointsToAlarm > a.evaluationPeriods) {
      ctx.addIssue({ code: 'custom', path: ['datapointsToAlarm'], input: a.datapointsToAlarm, message: `expected at most evaluationPeriods (${a.evaluationPeriods})` });
    }
    if (a.metric === 'gate-dependency-failure-rate' && !a.dependency) {
      ctx.addIssue({ code: 'custom', path: ['dependency'], input: a.dependency, message: 'expected the dependency whose failure rate this alarm watches' });
    }
    if ((a.metric.startsWith('gate-') ? false : a.periodSeconds < 60)) {
      ctx.addIssue({ code: 'custom', path: ['periodSeconds'], input: a.periodSeconds, message: 'expected 60 or more: only the gate publishes high-resolution metrics' });
    }
  });
export type AlarmConfig = z.infer<typeof AlarmSchema>;

export const DegradationLevelSchema = z
  .object({
    level: z.number().int().min(1).max(9),
    /** Classes refused (or answered with their fallback) at this level. `critical` is never shed. */
    shed: z.array(z.enum(['high', 'normal', 'low'])).min(1),
  })
  .strict();

export const ControllerSchema = z
  .object({
    /** How long every alarm asking for a level must stay calm before the level steps down by one. */
    calmPeriodSeconds: z.number().int().min(10).max(3600).default(120),
    /** How long a breaker's alarm must stay calm before the breaker closes. */
    breakerCalmSeconds: z.number().int().min(10).max(3600).default(60),
    /** The longest a manual override may last. */
    maxOverrideSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(4 * 3600),
  })
  .strict();

export const GateSchema = z
  .object({
    concurrency: z
      .object({
        initialLimit: positiveInt().default(64),
        minLimit: positiveInt().default(8),
        maxLimit: positiveInt().default(512),
        /** Share of the limit kept for critical requests (lent to high while critical neither holds nor waits for it). */
        criticalReservedShare: z.number().min(0).max(0.9).default(0.2),
      })
      .strict()
      .prefault({}),
    queue: z
      .object({
        maxLengthPerClass: positiveInt().default(100),
        targetDelayMs: positiveInt().default(5),
        intervalMs: positiveInt().default(100),
        /** The longest a request may wait in a queue, even when the queue is not standing. */
        maxWaitMs: positiveInt().default(1000),
      })
      .strict()
      .prefault({}),
    /** Polling interval for the flags document, the backup to the pub/sub channel. */
    flagsPollMs: positiveInt().default(2000),
    /** Redis decisions slower than this fall back to the local limiter. */
    redisTimeoutMs: positiveInt().default(50),
    /** This process's share of a global limit when falling back locally; omitted means 1 / fleet.plannedTasks. */
    localShare: z.number().gt(0).max(1).optional(),
    maxBodyBytes: positiveInt().default(1_048_576),
    /** Request bodies held in memory across all connections; a body that would pass it is answered 503 at once. */
    maxBufferedBytes: positiveInt().default(67_108_864),
    /** Open client connections; a request on one past it is answered 503 at once. */
    maxConnections: positiveInt().default(4096),
    maxHeaderBytes: positiveInt().default(16_384),
    /**
     * Which answers of a rate-limited route state the client's quota in the IETF `RateLimit` and
     * `RateLimit-Policy` fields: `always`; `near-limit`, refusals and any answer that leaves at most
     * half the limit (a client has nothing to pace before that, and on the gate benchmark the fields
     * on every answer cost about 5% of its throughput); or `refusals` only. A 429 always has them.
     */
    rateLimitFields: z.enum(['always', 'near-limit', 'refusals']).default('near-limit'),
    /**
     * Which failures feed a dependency's breaker. `route`: every 5xx, timeout or slow answer of a
     * route counts against each of its dependencies, unless the app names the one that failed in
     * `saleday-failed-dependency`. `named`: only a dependency the app names, for apps (like the
     * reference storefront) that time their dependencies themselves, so an overloaded app's slow
     * product pages cannot open the inventory breaker checkout depends on.
     */
    breakerBlame: z.enum(['route', 'named']).default('route'),
  })
  .strict();

export const AudienceSchema = z
  .object({
    socialFollowers: z.number().nonnegative().default(0),
    registeredUsers: z.number().nonnegative().default(0),
    adImpressions: z.number().nonnegative().default(0),
  })
  .strict();

export const PlanSchema = z
  .object({
    computedAt: z.string(),
    peakRequestsPerSecond: z.number().nonnegative(),
    fleetRequestsPerSecond: z.number().nonnegative(),
    taskCapacityRps: z.number().positive(),
    headroom: z.number().min(1),
    tasks: positiveInt(),
    cacheNodeType: z.string(),
    costPerHourUsd: z.number().nonnegative(),
  })
  .strict();

export const PricingSchema = z
  .object({
    /** The date these list prices were read; check them before the sale. */
    asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    currency: z.literal('USD').default('USD'),
    fargateVcpuHour: z.number().nonnegative(),
    fargateGbHour: z.number().nonnegative(),
    albHour: z.number().nonnegative(),
    albLcuHour: z.number().nonnegative(),
    natGatewayHour: z.number().nonnegative(),
    cacheNodeHour: z.record(z.string(), z.number().nonnegative()),
    cloudfrontPer10kRequests: z.number().nonnegative(),
    wafPerMillionRequests: z.number().nonnegative(),
    wafWebAclMonth: z.number().nonnegative(),
    wafRuleMonth: z.number().nonnegative(),
  })
  .strict();
export type Pricing = z.infer<typeof PricingSchema>;

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    saleName: slug(),
    app: z
      .object({
        region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as eu-west-1'),
        /** Pin the account for deploys; omitted means the CLI's current credentials. */
        account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id').optional(),
        /** Optional custom domain for CloudFront (certificate in us-east-1). */
        domainName: z.string().optional(),
        certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+$/, 'expected an ACM certificate ARN in us-east-1').optional(),
        /** The longest the app's checkout can take (the reference storefront prints it); critical routes' timeoutMs must be at least this. */
        checkoutWorstCaseMs: positiveInt().max(60_000).optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if ((a.domainName === undefined) !== (a.certificateArn === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['certificateArn'], input: a.certificateArn, message: 'expected domainName and certificateArn together' });
        }
      }),
    windows: z.array(SaleWindowSchema).min(1).superRefine(checkWindowsDoNotOverlap),
    sla: SlaSchema.prefault({}),
    fleet: FleetSchema,
    cache: CacheSchema.prefault({}),
    identity: IdentitySchema.prefault({ header: 'x-user-id' }),
    routes: z.array(RouteSchema).min(1),
    degradation: z.array(DegradationLevelSchema).default([
      { level: 1, shed: ['low'] },
      { level: 2, shed: ['low', 'normal'] },
      { level: 3, shed: ['low', 'normal', 'high'] },
    ]),
    waf: WafSchema,
    alarms: z.array(AlarmSchema).default([]),
    controller: ControllerSchema.prefault({}),
    gate: GateSchema.prefault({}),
    notifications: z.object({ email: z.email('expected an e-mail address') }).strict(),
    audience: AudienceSchema.optional(),
    plan: PlanSchema.optional(),
    pricing: PricingSchema,
    waitingRoom: WaitingRoomSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkWaitingRoomAgainstConfig(c, ctx);
    const unique = (names: string[], path: string) => {
      const seen = new Set<string>();
      names.forEach((n, i) => {
        if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [path, i, 'name'], input: n, message: `expected a unique name; ${n} is used twice` });
        seen.add(n);
      });
    };
    unique(c.routes.map((r) => r.name), 'routes');
    unique(c.windows.map((w) => w.name), 'windows');
    unique(c.alarms.map((a) => a.name), 'alarms');
    const levels = new Set(c.degradation.map((d) => d.level));
    c.alarms.forEach((a, i) => {
      if (a.effect.type === 'degrade' && !levels.has(a.effect.level)) {
        ctx.addIssue({ code: 'custom', path: ['alarms', i, 'effect', 'level'], input: a.effect.level, message: `expected a level defined in degradation (${[...levels].join(', ')})` });
      }
    });
    const dependencies = new Set(c.routes.flatMap((r) => r.dependencies));
    c.alarms.forEach((a, i) => {
      if (a.effect.type === 'breaker' && !dependencies.has(a.effect.dependency)) {
        ctx.addIssue({ code: 'custom', path: ['alarms', i, 'effect', 'dependency'], input: a.effect.dependency, message: `expected a dependency some route declares (${[...dependencies].join(', ') || 'none declared'})` });
      }
    });
    c.degradation.forEach((d, i) => {
      const lower = c.degradation.filter((o) => o.level < d.level);
      for (const o of lower) {
        const missing = o.shed.filter((cls) => !d.shed.includes(cls));
        if (missing.length > 0) {
          ctx.addIssue({ code: 'custom', path: ['degradation', i, 'shed'], input: d.shed, message: `expected level ${d.level} to shed at least what level ${o.level} sheds (missing ${missing.join(', ')})` });
        }
      }
    });
    checkRequestsPerTargetWithinCapacity(c, ctx);
    checkCriticalRouteTimeouts(c, ctx);
    if (c.routes.every((r) => r.priority !== 'critical')) {
      ctx.addIssue({ code: 'custom', path: ['routes'], input: c.routes.map((r) => r.name), message: 'expected at least one critical route (checkout)' });
    }
  });

export type SaledayConfig = z.infer<typeof ConfigSchema>;
export type SaledayConfigInput = z.input<typeof ConfigSchema>;
