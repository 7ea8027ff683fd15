import { dependencyOutcome } from '../../../gate/proxy/dependency-blame';

describe('dependencyOutcome', () => {
  it.each([
    // blame, failed, named by the app, dependencies whose breaker hears a failure
    ['route', true, undefined, ['inventory', 'payments']],
    ['route', true, 'payments', ['payments']],
    ['route', false, undefined, []],
    ['named', true, undefined, []],
    ['named', true, 'inventory', ['inventory']],
    ['named', false, undefined, []],
  ] as const)('%s blame, failed %s, named %s → %j', (blame, failed, named, expected) => {
    const outcome = dependencyOutcome(blame, failed, 900, named);
    expect(['inventory', 'payments'].filter((d) => outcome.failedDependency(d))).toEqual(expected);
  });

  it('reports a success with its latency under route blame, and as instant under named blame', () => {
    expect(dependencyOutcome('route', false, 900, undefined).successLatencyMs).toBe(900);
    expect(dependencyOutcome('named', false, 900, undefined).successLatencyMs).toBe(0);
  });
});
