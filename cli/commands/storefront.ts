/**
 * `saleday storefront`: runs the reference shop on this machine. Prints one JSON line
 * `{"event":"listening","url":…}` on stdout when ready (the rehearsal and the load test spawn it
 * and wait for that line); logs, when enabled, go to stderr. Without --redis-url it runs on the
 * embedded in-process store (single process).
 */
import type { Command } from 'commander';
import { startStorefront } from '../../storefront/server';

interface StorefrontCommandOptions {
  port: string;
  host: string;
  redisUrl?: string;
  redisAuthToken?: string;
  keyPrefix?: string;
  faultInjection?: boolean;
  stock?: string;
  catalogSize?: string;
  recommendationsWork?: string;
  paymentLatencyMs?: string;
  reservationTtlMs?: string;
  log?: boolean;
}

export function registerStorefrontCommand(program: Command): void {
  program
    .command('storefront')
    .description('Run the reference shop (products, cart, checkout, recommendations)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '3000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--redis-url <url>', 'Redis shared by every storefront (default: $REDIS_URL, else the embedded store)', process.env.REDIS_URL)
    .option('--redis-auth-token <token>', 'Redis AUTH token (default: $REDIS_AUTH_TOKEN)', process.env.REDIS_AUTH_TOKEN)
    .option('--key-prefix <prefix>', 'Redis key prefix of the shop (storefronts sharing stock share it)')
    .option('--fault-injection', 'enable /_faults and /_stock/reset for rehearsals')
    .option('--stock <units>', 'units seeded per product where none are recorded yet')
    .option('--catalog-size <products>', 'products in the seeded catalog')
    .option('--recommendations-work <rounds>', 'hashing rounds per recommendations request (its CPU cost)')
    .option('--payment-latency-ms <ms>', "the simulated payment provider's usual latency")
    .option('--reservation-ttl-ms <ms>', 'release reservations neither paid nor released after this long (default: max(30000, 3 × payment timeout))')
    .option('--log', 'structured JSON request logs on stderr')
    .action(async (options: StorefrontCommandOptions) => {
      const started = await startStorefront({
        port: integerOption('--port', options.port),
        host: options.host,
        redisUrl: options.redisUrl || undefined,
        redisAuthToken: options.redisAuthToken || undefined,
        keyPrefix: options.keyPrefix,
        enableFaultInjection: options.faultInjection ?? false,
        stockPerProduct: integerOption('--stock', options.stock),
        catalogSize: integerOption('--catalog-size', options.catalogSize),
        recommendationsWork: integerOption('--recommendations-work', options.recommendationsWork),
        paymentLatencyMs: integerOption('--payment-latency-ms', options.paymentLatencyMs),
        reservationTtlMs: integerOption('--reservation-ttl-ms', options.reservationTtlMs),
        logger: options.log ?? false,
        logStream: process.stderr,
      });
      process.stdout.write(`${JSON.stringify({ event: 'listening', url: started.url, store: started.store.kind })}\n`);
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
    });
}

function integerOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${flag}: got ${JSON.stringify(raw)}; expected an integer`);
  return value;
}
