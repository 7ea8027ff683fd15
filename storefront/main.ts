/**
 * The storefront container's entry (bundled by esbuild into storefront.js). Configured from the
 * environment: PORT, HOST, REDIS_URL, REDIS_AUTH_TOKEN, SALEDAY_KEY_PREFIX, SALEDAY_FAULT_INJECTION,
 * SALEDAY_STOCK_PER_PRODUCT, SALEDAY_CATALOG_SIZE, SALEDAY_RECOMMENDATIONS_WORK, SALEDAY_RESERVATION_TTL_MS,
 * SALEDAY_LOG, SALEDAY_OPERATOR_PORT (operator routes on 127.0.0.1; off unless set), SALEDAY_SEED_IF_EMPTY,
 * SALEDAY_REPLICA_WAIT_MS, SALEDAY_SESSION_SECRET_ENV (default SALEDAY_IDENTITY_SECRET, whose value
 * signs session cookies), SALEDAY_SESSION_MAX_AGE_SECONDS, SALEDAY_SESSION_INSECURE_COOKIE.
 * On SIGTERM (ECS stopping the task) it stops accepting, finishes in-flight requests and exits.
 *
 * `storefront.js seed [--force]` (an ECS one-off task with a command override) seeds the catalog
 * into REDIS_URL instead, like `saleday storefront seed`, and exits 0 when seeded, 1 when refused.
 */
import { storefrontOptionsFromEnv } from './env-options';
import { describeSeedOutcome, seedCatalogInRedis } from './seed-catalog';
import { DEFAULT_KEY_PREFIX } from './redis-shop-store';
import { startStorefront } from './server';

/** ECS sends SIGKILL 30 s after SIGTERM by default: exit on our own terms before that. */
const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  const storefront = await startStorefront(storefrontOptionsFromEnv(process.env));
  console.log(
    JSON.stringify({
      event: 'listening',
      url: storefront.url,
      operatorUrl: storefront.operatorUrl ?? null,
      store: storefront.store.kind,
      checkoutWorstCaseMs: storefront.checkoutWorstCaseMs,
    }),
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ event: 'stopping', signal }));
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    storefront.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(
          JSON.stringify({ event: 'stop-failed', message: error instanceof Error ? error.message : String(error) }),
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function seed(force: boolean): Promise<void> {
  const options = storefrontOptionsFromEnv(process.env);
  if (!options.redisUrl) throw new Error('REDIS_URL: missing; expected the URL of the Redis to seed');
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const outcome = await seedCatalogInRedis({ ...options, redisUrl: options.redisUrl, keyPrefix, force });
  console.log(JSON.stringify({ event: 'seed', ...outcome, message: describeSeedOutcome(outcome, keyPrefix) }));
  process.exitCode = outcome.kind === 'seeded' ? 0 : 1;
}

(process.argv[2] === 'seed' ? seed(process.argv.includes('--force')) : main()).catch((error: unknown) => {
  console.error(
    JSON.stringify({ event: 'start-failed', message: error instanceof Error ? error.message : String(error) }),
  );
  process.exit(1);
});
