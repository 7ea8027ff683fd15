import { ConfigError } from '../../../contracts/config/config-error';
import { GATE_CONFIG_ENV, gateConfigSlice } from '../../../contracts/config/gate-config-slice';
import { gateEnvironment } from '../../../gate/proxy/gate-environment';
import { exampleConfig } from '../../lib/stacks/test-app';

const config = exampleConfig();
const sliceEnv = (extra: Record<string, string | undefined> = {}) => ({
  [GATE_CONFIG_ENV]: JSON.stringify(gateConfigSlice(config)),
  PORT: '8080',
  UPSTREAM_URL: 'http://127.0.0.1:3000',
  ...extra,
});

describe('the gate started from its slice of the config (as the task definition passes it)', () => {
  it('reads the routes, identity, degradation and gate settings, with the port and upstream from the environment', () => {
    const settings = gateEnvironment(sliceEnv({ REDIS_URL: 'rediss://cache:6380' }));
    expect(settings.config).toEqual(gateConfigSlice(config));
    expect(settings).toMatchObject({ port: 8080, upstream: 'http://127.0.0.1:3000', redisUrl: 'rediss://cache:6380' });
  });

  it('holds none of what the gate does not read', () => {
    expect(Object.keys(gateConfigSlice(config)).sort()).toEqual([
      'degradation',
      'fleet',
      'gate',
      'identity',
      'routes',
      'saleName',
    ]);
    expect(gateConfigSlice(config).fleet).toEqual({ plannedTasks: config.fleet.plannedTasks });
  });

  it.each([
    ['PORT', 'PORT'],
    ['UPSTREAM_URL', 'UPSTREAM_URL'],
  ])('refuses to start without %s', (name, expected) => {
    expect(() => gateEnvironment(sliceEnv({ [name]: undefined }))).toThrow(expected);
  });

  it('names the field of a slice that does not validate', () => {
    const broken = { ...gateConfigSlice(config), routes: [{ ...config.routes[0], priority: 'urgent' }] };
    let error: unknown;
    try {
      gateEnvironment(sliceEnv({ [GATE_CONFIG_ENV]: JSON.stringify(broken) }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/^routes\.0\.priority: /m);
  });

  it('refuses text that is not JSON, naming the variable', () => {
    expect(() => gateEnvironment(sliceEnv({ [GATE_CONFIG_ENV]: '{nope' }))).toThrow(/SALEDAY_GATE_CONFIG_JSON/);
  });
});
