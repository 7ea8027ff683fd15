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
      }),
    ).toMatchObject({ port: 3100, redisUrl: 'rediss://cache:6380', redisAuthToken: 'secret', enableFaultInjection: true, stockPerProduct: 25, reservationTtlMs: 45_000, logger: false });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ SALEDAY_FAULT_INJECTION: 'maybe' }, /SALEDAY_FAULT_INJECTION/],
    [{ SALEDAY_STOCK_PER_PRODUCT: '1.5' }, /SALEDAY_STOCK_PER_PRODUCT/],
    [{ SALEDAY_RESERVATION_TTL_MS: '30s' }, /SALEDAY_RESERVATION_TTL_MS: got "30s"; expected an integer/],
  ])('rejects %p, naming the variable', (env, variable) => {
    expect(() => storefrontOptionsFromEnv(env)).toThrow(variable);
  });
});
