/** The rate-limit options' defaults, in one place (each option documents its own with @default). */
export const RATE_LIMIT_DEFAULTS = {
  /** This process's share of the global limit when it decides locally. */
  localShare: 1,
  /** A Redis decision slower than this is made locally, ms. */
  timeoutMs: 50,
  /** Decisions per Redis script call. */
  maxBatchSize: 128,
  /** Keys the over-limit cache holds at most. */
  overLimitCacheKeys: 100_000,
  /** How long a concurrency lease lives when nobody releases it, ms. */
  leaseMs: 30_000,
} as const;
