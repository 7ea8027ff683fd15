/**
 * The gate container's entry: settings from the environment, one `listening` line on stdout,
 * EMF metrics on stdout after it, logs on stderr, and a graceful drain on SIGTERM (ECS sends it,
 * then SIGKILL after the task's stopTimeout, 30 s by default; the drain takes at most 25 s).
 */
import { gateEnvironment } from './proxy/gate-environment';
import { createJsonLogger } from './proxy/gate-logger';
import { startGate } from './proxy/gate-server';

async function main(): Promise<void> {
  const settings = gateEnvironment();
  const logger = createJsonLogger({ base: { sale: settings.config.saleName } });
  const started = await startGate({ ...settings, logger });
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: started.url })}\n`);
  logger.info('gate listening', {
    url: started.url,
    upstream: settings.upstream,
    redis: settings.redisUrl ? 'configured' : 'embedded',
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('draining', { signal });
    started
      .close()
      .then(() => logger.info('stopped'))
      .catch((error: unknown) => {
        logger.error('close failed', { error: String(error) });
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', message: 'gate failed to start', error: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
