/**
 * `saleday storefront`: runs the reference shop on this machine. Prints one JSON line
 * `{"event":"listening","url":…,"operatorUrl":…}` on stdout when ready (the rehearsal and the load
 * test spawn it and wait for that line); logs, when enabled, go to stderr. Without --redis-url it
 * runs on the embedded in-process store (single process, seeded at start).
 *
 * `saleday storefront seed`: seeds the catalog into Redis, the explicit step a Redis store needs
 * before its first sale (or `--seed-if-empty` on a first start); it never overwrites a store with sales.
 */
import type { Command } from 'commander';
import { describeSeedOutcome, seedCatalogInRedis } from '../../storefront/seed-catalog';
import { startStorefront } from '../../storefront/server';
import { DEFAULT_KEY_PREFIX } from '../../storefront/redis-shop-store';
import type { SimulatedDatabaseOptions } from '../../storefront/simulated-database';

interface StorefrontCommandOptions {
  port: string;
  host: string;
  operatorPort?: string;
  redisUrl?: string;
  redisAuthToken?: string;
  keyPrefix?: string;
  faultInjection?: boolean;
  stock?: string;
  seedIfEmpty?: boolean;
  catalogSize?: string;
  recommendationsWork?: string;
  paymentLatencyMs?: string;
  dbConnections?: string;
  dbQueryMs?: string;
  reservationTtlMs?: string;
  replicaWaitMs?: string;
  sessionSecretEnv?: string;
  sessionMaxAge?: string;
  insecureSessionCookie?: boolean;
  log?: boolean;
}

/** The seed command's own --force, and the storefront options it shares (commander parses those on the parent). */
interface SeedCommandOptions extends Pick<
  StorefrontCommandOptions,
  'redisUrl' | 'redisAuthToken' | 'keyPrefix' | 'stock' | 'catalogSize'
> {
  force?: boolean;
}

export function registerStorefrontCommand(program: Command): void {
  const storefront = program
    .command('storefront')
    .description(
      'Run the reference shop (products, cart, checkout, recommendations); `storefront seed` seeds its stock',
    )
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--operator-port <port>',
      'serve /_stats, /_faults and /_stock/reset on 127.0.0.1 at this port (0 picks a free one); off without it (default: $SALEDAY_OPERATOR_PORT)',
      process.env.SALEDAY_OPERATOR_PORT,
    )
    .option(
      '--redis-url <url>',
      'Redis shared by every storefront (default: $REDIS_URL, else the embedded store)',
      process.env.REDIS_URL,
    )
    .option('--redis-auth-token <token>', 'Redis AUTH token (default: $REDIS_AUTH_TOKEN)', process.env.REDIS_AUTH_TOKEN)
    .option('--key-prefix <prefix>', 'Redis key prefix of the shop (storefronts sharing stock share it)')
    .option('--fault-injection', 'enable /_faults and /_stock/reset (on the operator port) for rehearsals')
    .option('--stock <units>', 'units per product: the embedded store at start, Redis with --seed-if-empty')
    .option(
      '--seed-if-empty',
      'seed Redis on this first start when it holds no catalog and no sale (never again after, even if Redis restarts empty)',
    )
    .option('--catalog-size <products>', 'products in the catalog')
    .option('--recommendations-work <rounds>', 'hashing rounds per recommendations request (its CPU cost)')
    .option('--payment-latency-ms <ms>', "the simulated payment provider's usual latency")
    .option('--db-connections <n>', 'simulate a database pool: each /api/ request waits for one of n connections')
    .option('--db-query-ms <ms>', 'with --db-connections: how long each request holds its connection')
    .option(
      '--reservation-ttl-ms <ms>',
      'release reservations neither paid nor released after this long (default: max(30000, 3 × payment timeout))',
    )
    .option(
      '--replica-wait-ms <ms>',
      'after reserve and confirm, wait this long at most for one Redis replica to acknowledge (0: never; default 100)',
    )
    .option(
      '--session-secret-env <name>',
      "environment variable with the secret that signs POST /api/session cookies (the gate's identity.secretEnv)",
      'SALEDAY_IDENTITY_SECRET',
    )
    .option('--session-max-age <seconds>', 'lifetime of a session cookie (default 604800, 7 days)')
    .option('--insecure-session-cookie', 'set the session cookie without Secure (plain-HTTP development only)')
    .option('--log', 'structured JSON request logs on stderr')
    .action(runStorefront);

  storefront
    .command('seed')
    .description(
      "Seed the catalog into Redis; refuses a store that has a catalog (unless --force) or any sale (always). Takes the storefront's --redis-url, --redis-auth-token, --key-prefix, --stock (default 100) and --catalog-size",
    )
    .option('--force', 'overwrite an existing catalog that has no sales')
    .action(runSeed);
}

/** Runs the shop until SIGTERM / SIGINT, announcing it with one `listening` line on stdout. */
async function runStorefront(options: StorefrontCommandOptions): Promise<void> {
  const started = await startStorefront({
    port: integerOption('--port', options.port),
    host: options.host,
    operatorPort: integerOption('--operator-port', options.operatorPort || undefined),
    redisUrl: options.redisUrl || undefined,
    redisAuthToken: options.redisAuthToken || undefined,
    keyPrefix: options.keyPrefix,
    enableFaultInjection: options.faultInjection ?? false,
    stockPerProduct: integerOption('--stock', options.stock),
    seedIfEmpty: options.seedIfEmpty ?? false,
    catalogSize: integerOption('--catalog-size', options.catalogSize),
    recommendationsWork: integerOption('--recommendations-work', options.recommendationsWork),
    paymentLatencyMs: integerOption('--payment-latency-ms', options.paymentLatencyMs),
    simulatedDatabase: simulatedDatabaseOption(options),
    reservationTtlMs: integerOption('--reservation-ttl-ms', options.reservationTtlMs),
    replicaWaitMs: integerOption('--replica-wait-ms', options.replicaWaitMs),
    sessions: {
      secretEnv: options.sessionSecretEnv,
      maxAgeSeconds: integerOption('--session-max-age', options.sessionMaxAge),
      insecureCookie: options.insecureSessionCookie ?? false,
    },
    logger: options.log ?? false,
    logStream: process.stderr,
  });
  const listening = {
    event: 'listening',
    url: started.url,
    operatorUrl: started.operatorUrl ?? null,
    store: started.store.kind,
    checkoutWorstCaseMs: started.checkoutWorstCaseMs,
  };
  process.stdout.write(`${JSON.stringify(listening)}\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      started.close().then(resolve, (error: unknown) => {
        process.stderr.write(`${JSON.stringify({ event: 'close-failed', message: String(error) })}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** Seeds the catalog into the Redis the storefront options name. */
async function runSeed(_options: unknown, command: Command): Promise<void> {
  const options = command.optsWithGlobals<SeedCommandOptions>();
  if (!options.redisUrl)
    throw new Error('--redis-url: missing; expected the URL of the Redis to seed (or set $REDIS_URL)');
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const outcome = await seedCatalogInRedis({
    redisUrl: options.redisUrl,
    redisAuthToken: options.redisAuthToken || undefined,
    keyPrefix,
    stockPerProduct: integerOption('--stock', options.stock ?? '100'),
    catalogSize: integerOption('--catalog-size', options.catalogSize),
    force: options.force ?? false,
  });
  const message = describeSeedOutcome(outcome, keyPrefix);
  process.stdout.write(`${JSON.stringify({ event: 'seed', ...outcome, message })}\n`);
  if (outcome.kind !== 'seeded') {
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  }
}

function integerOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${flag}: got ${JSON.stringify(raw)}; expected an integer`);
  return value;
}

/** --db-connections and --db-query-ms come together or not at all. */
function simulatedDatabaseOption(options: StorefrontCommandOptions): SimulatedDatabaseOptions | undefined {
  if (options.dbConnections === undefined && options.dbQueryMs === undefined) return undefined;
  if (options.dbConnections === undefined || options.dbQueryMs === undefined)
    throw new Error(
      `--db-connections and --db-query-ms go together: got ${options.dbConnections === undefined ? '--db-query-ms' : '--db-connections'} alone`,
    );
  return {
    connections: integerOption('--db-connections', options.dbConnections)!,
    queryMs: integerOption('--db-query-ms', options.dbQueryMs)!,
  };
}
