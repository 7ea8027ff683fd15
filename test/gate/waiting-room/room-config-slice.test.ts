/** The room's settings reach a deployed gate: the task definition's config slice carries them when the sale has a room. */
import { GATE_CONFIG_ENV, gateConfigSlice } from '../../../contracts/config/gate-config-slice';
import { gateEnvironment } from '../../../gate/proxy/gate-environment';
import { roomConfig } from './fixtures/room-gate-fixture';

it('carries waitingRoom (join limits included) through the slice and the gate’s environment', () => {
  const config = roomConfig('wr-slice', { joinLimits: { perIp: { ratePerSecond: 2, burst: 10 } } });
  const slice = gateConfigSlice(config);
  expect(slice.waitingRoom).toEqual(
    expect.objectContaining({ enabled: true, joinLimits: { perIp: { ratePerSecond: 2, burst: 10 } } }),
  );
  const settings = gateEnvironment({
    [GATE_CONFIG_ENV]: JSON.stringify(slice),
    PORT: '8080',
    UPSTREAM_URL: 'http://127.0.0.1:3000',
  });
  expect(settings.config.waitingRoom).toEqual(slice.waitingRoom);
});

it('refuses join limits that are not a rate and a burst, naming the field', () => {
  expect(() => roomConfig('wr-slice', { joinLimits: { perIdentity: { ratePerSecond: 0, burst: 5 } } })).toThrow(
    /waitingRoom\.joinLimits\.perIdentity\.ratePerSecond/,
  );
});
