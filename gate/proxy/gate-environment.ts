/**
 * The gate's settings as a container receives them: the config from SALEDAY_CONFIG_JSON (the
 * CDK task definition passes it inline) or the file named by SALEDAY_CONFIG, the app's origin
 * from UPSTREAM_URL, the port from PORT, Redis from REDIS_URL (+ REDIS_AUTH_TOKEN).
 */
import { loadConfig, parseConfig } from '../../lib/config/load-config';
import type { SaledayConfig } from '../../lib/config/schema';
import { InvalidOptionsError } from '../errors';

export interface GateEnvironment {
  config: SaledayConfig;
  upstream: string;
  port: number;
  host: string;
  redisUrl?: string;
  redisAuthToken?: string;
}

export function gateEnvironment(env: NodeJS.ProcessEnv = process.env): GateEnvironment {
  let config: SaledayConfig;
  if (env.SALEDAY_CONFIG_JSON) {
    let raw: unknown;
    try {
      raw = JSON.parse(env.SALEDAY_CONFIG_JSON);
    } catch (error) {
      throw new InvalidOptionsError('SALEDAY_CONFIG_JSON', '<unparsable>', `a JSON config document (${(error as Error).message})`);
    }
    config = parseConfig(raw, 'SALEDAY_CONFIG_JSON');
  } else {
    config = loadConfig(env.SALEDAY_CONFIG);
  }
  const port = Number(env.PORT ?? config.fleet.gatePort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionsError('PORT', env.PORT, 'a TCP port number');
  return {
    config,
    upstream: env.UPSTREAM_URL ?? `http://127.0.0.1:${config.fleet.appPort}`,
    port,
    host: env.HOST ?? '0.0.0.0',
    redisUrl: env.REDIS_URL || undefined,
    redisAuthToken: env.REDIS_AUTH_TOKEN || undefined,
  };
}
