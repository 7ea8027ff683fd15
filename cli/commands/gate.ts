/**
 * `saleday gate`: runs the gate in front of an app on this machine. Prints one JSON line
 * `{"event":"listening","url":…}` on stdout when ready (the rehearsal waits for it); EMF metric
 * lines follow on stdout (a status line instead on a terminal, see cli/gate/metrics-format.ts),
 * logs go to stderr. Without --redis-url it runs on the embedded
 * in-process store (single process).
 */
import type { Command } from 'commander';
import { createJsonLogger, type LogLevel } from '../../gate/proxy/gate-logger';
import { startGate } from '../../gate/proxy/gate-server';
import { configFor } from '../cli-config';
import { chooseMetricsFormat, metricsSink } from '../gate/metrics-format';

interface GateCommandOptions {
  port: string;
  host: string;
  upstream: string;
  redisUrl?: string;
  redisAuthToken?: string;
  logLevel: LogLevel;
  rateLimitPrefix?: string;
  gateId?: string;
  metricsFormat?: string;
}

export function registerGateCommand(program: Command): void {
  program
    .command('gate')
    .description('Run the gate (rate limits, shedding, breakers, fallbacks) in front of an app')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('-u, --upstream <url>', 'origin of the app, e.g. http://127.0.0.1:3000')
    // No default from $REDIS_URL: without the flag the gate runs embedded, as documented.
    .option('--redis-url <url>', 'Redis for shared rate limits and flags (default: embedded, single process)')
    .option('--redis-auth-token <token>', 'Redis AUTH token (default: $REDIS_AUTH_TOKEN)', process.env.REDIS_AUTH_TOKEN)
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--rate-limit-prefix <prefix>', 'Redis key prefix for rate limits (gates sharing limits share it)')
    .option('--gate-id <id>', 'name of this gate in logs and metrics')
    .option(
      '--metrics-format <format>',
      'what is printed each second: emf (CloudWatch metric lines) or status (one line for a person) (default: status on a terminal, else emf)',
    )
    .action(async (options: GateCommandOptions, command: Command) => {
      const config = configFor(command);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port: got ${JSON.stringify(options.port)}; expected a TCP port number`);
      const metricsFormat = chooseMetricsFormat(options.metricsFormat, process.stdout.isTTY === true);
      const logger = createJsonLogger({ level: options.logLevel, base: { sale: config.saleName } });
      const started = await startGate({
        config,
        upstream: options.upstream,
        port,
        host: options.host,
        redisUrl: options.redisUrl || undefined,
        redisAuthToken: options.redisAuthToken || undefined,
        logger,
        rateLimitPrefix: options.rateLimitPrefix,
        gateId: options.gateId,
        metricsSink: metricsSink(metricsFormat, (text) => process.stdout.write(text), {
          inPlace: process.stdout.isTTY === true,
        }),
      });
      process.stdout.write(`${JSON.stringify({ event: 'listening', url: started.url })}\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info('draining', { signal });
          started.close().then(resolve, (error: unknown) => {
            logger.error('close failed', { error: String(error) });
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
