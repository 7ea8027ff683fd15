/**
 * The assumptions of the capacity model, each with its stated default. Every one can be overridden
 * (`saleday plan --help` lists the flags); the defaults are a starting point for a small shop's
 * flash sale announced to its own audience, not facts about yours.
 */
export interface PlannerAssumptions {
  /** Share of social followers who visit during the sale. @default 0.02 */
  readonly followerShowUpShare: number;
  /** Share of registered users who visit during the sale. @default 0.10 */
  readonly registeredShowUpShare: number;
  /** Share of ad impressions that turn into a visit (click-through). @default 0.005 */
  readonly impressionVisitShare: number;
  /** Share of all visitors who arrive during the busiest minute (a drop concentrates arrivals). @default 0.10 */
  readonly peakMinuteShare: number;
  /** How long a visitor stays active, in minutes. @default 6 */
  readonly sessionMinutes: number;
  /** Requests (pages, API calls, assets) an active visitor makes per minute. @default 10 */
  readonly requestsPerUserPerMinute: number;
  /**
   * Share of requests CloudFront answers from its cache. `undefined` means: 0.6 when some route is
   * cached (`static` or `semi-static`), else 0. @default derived from the routes
   */
  readonly edgeAbsorbedShare?: number;
  /** Safety factor over the expected fleet load, the trade of cost against safety (3–10). @default 5 */
  readonly headroom: number;
  /** Ceiling for target tracking: maxTasks = ceil(tasks × this). @default 1.5 */
  readonly maxTasksFactor: number;
  /** Cache operations per request reaching the fleet (rate limit, concurrency lease, app reads). @default 3 */
  readonly cacheOpsPerRequest: number;
  /** Cache connections each task opens (gate limiter + flags subscriber + poller, app pool). @default 8 */
  readonly cacheConnectionsPerTask: number;
  /** The share of a cache node's throughput and connections the plan may use. @default 0.5 */
  readonly cacheTargetUtilization: number;
  /** Cache memory per visitor (rate-limit buckets, leases, session/cart keys), bytes. @default 4096 */
  readonly cacheBytesPerVisitor: number;
  /** Average response size through the ALB, KiB (drives ALB processed-bytes LCUs). @default 20 */
  readonly averageResponseKiB: number;
  /** New ALB connections per request (CloudFront keeps connections alive). @default 0.05 */
  readonly albNewConnectionsPerRequest: number;
  /** NAT gateways the sale stack runs (one per AZ). @default 2 */
  readonly natGateways: number;
  /** Rules per WebACL (managed groups + rate-based rules) billed monthly. @default 6 */
  readonly wafRulesPerWebAcl: number;
}

export const DEFAULT_ASSUMPTIONS: PlannerAssumptions = {
  followerShowUpShare: 0.02,
  registeredShowUpShare: 0.1,
  impressionVisitShare: 0.005,
  peakMinuteShare: 0.1,
  sessionMinutes: 6,
  requestsPerUserPerMinute: 10,
  headroom: 5,
  maxTasksFactor: 1.5,
  cacheOpsPerRequest: 3,
  cacheConnectionsPerTask: 8,
  cacheTargetUtilization: 0.5,
  cacheBytesPerVisitor: 4096,
  averageResponseKiB: 20,
  albNewConnectionsPerRequest: 0.05,
  natGateways: 2,
  wafRulesPerWebAcl: 6,
};

/** CloudFront's share when some route is cacheable and nothing better is known. */
export const DEFAULT_EDGE_ABSORBED_SHARE_WHEN_CACHED = 0.6;

/** The lowest and highest headroom factor the planner accepts. */
export const HEADROOM_RANGE = { min: 3, max: 10 } as const;
