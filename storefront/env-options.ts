/** The container's configuration, from the environment the ECS task definition sets. */
import { InvalidOptionsError } from '../guard/errors';
import type { StartStorefrontOptions } from './server';

export function storefrontOptionsFromEnv(env: NodeJS.ProcessEnv): StartStorefrontOptions {
  return {
    port: integerFrom(env, 'PORT') ?? 3000,
    // In a container the gate reaches the app over the task's loopback, but health checks may not: listen on all interfaces.
    host: env.HOST ?? '0.0.0.0',
    redisUrl: env.REDIS_URL || undefined,
    redisAuthToken: env.REDIS_AUTH_TOKEN || undefined,
    keyPrefix: env.SALEDAY_KEY_PREFIX || undefined,
    enableFaultInjection: booleanFrom(env, 'SALEDAY_FAULT_INJECTION') ?? false,
    stockPerProduct: integerFrom(env, 'SALEDAY_STOCK_PER_PRODUCT'),
    catalogSize: integerFrom(env, 'SALEDAY_CATALOG_SIZE'),
    recommendationsWork: integerFrom(env, 'SALEDAY_RECOMMENDATIONS_WORK'),
    reservationTtlMs: integerFrom(env, 'SALEDAY_RESERVATION_TTL_MS'),
    // Off unless set: the operator routes are for ECS Exec on the task, on 127.0.0.1 only.
    operatorPort: integerFrom(env, 'SALEDAY_OPERATOR_PORT'),
    seedIfEmpty: booleanFrom(env, 'SALEDAY_SEED_IF_EMPTY') ?? false,
    replicaWaitMs: integerFrom(env, 'SALEDAY_REPLICA_WAIT_MS'),
    sessions: {
      secretEnv: env.SALEDAY_SESSION_SECRET_ENV || undefined,
      env,
      maxAgeSeconds: integerFrom(env, 'SALEDAY_SESSION_MAX_AGE_SECONDS'),
      insecureCookie: booleanFrom(env, 'SALEDAY_SESSION_INSECURE_COOKIE') ?? false,
    },
    logger: booleanFrom(env, 'SALEDAY_LOG') ?? true,
  };
}

function integerFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new InvalidOptionsError(name, raw, 'an integer');
  return value;
}

function booleanFrom(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new InvalidOptionsError(name, env[name], 'one of 1/true/yes/on or 0/false/no/off');
}
