import { storefrontOptionsFromEnv } from '../../storefront/env-options';

describe('storefront options from the environment', () => {
  it('uses container defaults when nothing is set', () => {
    expect(storefrontOptionsFromEnv({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      redisUrl: undefined,
      redisAuthToken: undefined,
      keyPrefix: undefined,
      enableFaultInjection: false,
      stockPerProduct: undefined,
      catalogSize: undefined,
      recommendationsWork: undefined,
      reservationTtlMs: undefined,
      operatorPort: undefined,
      seedIfEmpty: false,
      replicaWaitMs: undefined,
      sessions: { secretEnv: undefined, env: {}, maxAgeSeconds: undefined, insecureCookie: false },
      logger: true,
    });
  });

  it('reads what the task definition sets', () => {
    expect(
      storefrontOptionsFromEnv({
        PORT: '3100',
        REDIS_URL: 'rediss://cache:6380',
        REDIS_AUTH_TOKEN: 'secret',
        SALEDAY_FAULT_INJECTION: 'true',
        SALEDAY_STOCK_PER_PRODUCT: '25',
        SALEDAY_RESERVATION_TTL_MS: '45000',
        SALEDAY_LOG: '0',
        SALEDAY_OPERATOR_PORT: '9090',
        SALEDAY_SEED_IF_EMPTY: '1',
        SALEDAY_REPLICA_WAIT_MS: '50',
        SALEDAY_SESSION_MAX_AGE_SECONDS: '3600',
        SALEDAY_SESSION_INSECURE_COOKIE: 'yes',
      }),
    ).toMatchObject({
      port: 3100,
      redisUrl: 'rediss://cache:6380',
      redisAuthToken: 'secret',
      enableFaultInjection: true,
      stockPerProduct: 25,
      reservationTtlMs: 45_000,
      logger: false,
      operatorPort: 9090,
      seedIfEmpty: true,
      replicaWaitMs: 50,
      sessions: { maxAgeSeconds: 3600, insecureCookie: true },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ SALEDAY_FAULT_INJECTION: 'maybe' }, /SALEDAY_FAULT_INJECTION/],
    [{ SALEDAY_STOCK_PER_PRODUCT: '1.5' }, /SALEDAY_STOCK_PER_PRODUCT/],
    [{ SALEDAY_RESERVATION_TTL_MS: '30s' }, /SALEDAY_RESERVATION_TTL_MS: got "30s"; expected an integer/],
    [{ SALEDAY_OPERATOR_PORT: 'admin' }, /SALEDAY_OPERATOR_PORT/],
    [{ SALEDAY_SEED_IF_EMPTY: 'perhaps' }, /SALEDAY_SEED_IF_EMPTY/],
  ])('rejects %p, naming the variable', (env, variable) => {
    expect(() => storefrontOptionsFromEnv(env)).toThrow(variable);
  });
});
