/**
 * The gate's settings as a container receives them: its slice of the config from
 * SALEDAY_GATE_CONFIG_JSON (what the CDK task definition passes, see lib/fleet/gate-config-slice.ts),
 * else the whole config from SALEDAY_CONFIG_JSON or the file named by SALEDAY_CONFIG; the app's
 * origin from UPSTREAM_URL, the port from PORT, Redis from REDIS_URL (+ REDIS_AUTH_TOKEN).
 */
import { loadConfig, parseConfig } from '../../contracts/config/load-config';
import type { SaledayConfig } from '../../contracts/config/schema';
import { GATE_CONFIG_ENV, type GateConfig, parseGateConfig } from '../../contracts/config/gate-config-slice';
import { InvalidOptionsError } from '../../guard/errors';

export interface GateEnvironment {
  config: GateConfig;
  upstream: string;
  port: number;
  host: string;
  redisUrl?: string;
  redisAuthToken?: string;
}

export function gateEnvironment(env: NodeJS.ProcessEnv = process.env): GateEnvironment {
  const sliceJson = env[GATE_CONFIG_ENV];
  if (sliceJson) {
    // The slice has no fleet section: the task definition always sets PORT and UPSTREAM_URL.
    if (!env.PORT)
      throw new InvalidOptionsError('PORT', env.PORT, `the gate's TCP port (required with ${GATE_CONFIG_ENV})`);
    if (!env.UPSTREAM_URL)
      throw new InvalidOptionsError(
        'UPSTREAM_URL',
        env.UPSTREAM_URL,
        `the app's origin such as http://127.0.0.1:3000 (required with ${GATE_CONFIG_ENV})`,
      );
    return settingsFrom(parseGateConfig(sliceJson), env, Number(env.PORT), env.UPSTREAM_URL);
  }
  let config: SaledayConfig;
  if (env.SALEDAY_CONFIG_JSON) {
    let raw: unknown;
    try {
      raw = JSON.parse(env.SALEDAY_CONFIG_JSON);
    } catch (error) {
      throw new InvalidOptionsError(
        'SALEDAY_CONFIG_JSON',
        '<unparsable>',
        `a JSON config document (${(error as Error).message})`,
      );
    }
    config = parseConfig(raw, 'SALEDAY_CONFIG_JSON');
  } else {
    config = loadConfig(env.SALEDAY_CONFIG);
  }
  return settingsFrom(
    config,
    env,
    Number(env.PORT ?? config.fleet.gatePort),
    env.UPSTREAM_URL ?? `http://127.0.0.1:${config.fleet.appPort}`,
  );
}

function settingsFrom(config: GateConfig, env: NodeJS.ProcessEnv, port: number, upstream: string): GateEnvironment {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidOptionsError('PORT', env.PORT, 'a TCP port number');
  return {
    config,
    upstream,
    port,
    host: env.HOST ?? '0.0.0.0',
    redisUrl: env.REDIS_URL || undefined,
    redisAuthToken: env.REDIS_AUTH_TOKEN || undefined,
  };
}
