import { loadtestIdentitySecret } from '../../../cli/loadtest/identity-secret';

const hmac = { proof: 'hmac' as const, secretEnv: 'SHOP_SECRET' };

describe('loadtestIdentitySecret', () => {
  it('needs no secret when the config trusts user keys as sent', () => {
    expect(loadtestIdentitySecret({ proof: 'none', secretEnv: 'SHOP_SECRET' }, 'remote', {})).toBeUndefined();
  });

  it("uses the environment's secret when it is set, for a local or a remote target", () => {
    for (const target of ['local', 'remote'] as const) {
      expect(loadtestIdentitySecret(hmac, target, { SHOP_SECRET: 'the-real-one' })).toEqual({
        secretEnv: 'SHOP_SECRET',
        secret: 'the-real-one',
      });
    }
  });

  it('makes a fresh secret per run for a local target when none is set', () => {
    const first = loadtestIdentitySecret(hmac, 'local', {});
    const second = loadtestIdentitySecret(hmac, 'local', { SHOP_SECRET: '' });
    expect(first?.secretEnv).toBe('SHOP_SECRET');
    expect(first?.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second?.secret).not.toBe(first?.secret);
  });

  it('refuses a remote target without its secret, naming the variable', () => {
    expect(() => loadtestIdentitySecret({ proof: 'jwt', secretEnv: 'SHOP_SECRET' }, 'remote', {})).toThrow(
      /SHOP_SECRET: got nothing; expected the target's identity secret in the environment \(identity.proof is jwt/,
    );
  });
});
