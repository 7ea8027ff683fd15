/**
 * The secret the load test signs its simulated shoppers' user keys with, so each one is its own
 * proven identity at the gate instead of every request counting against one client IP.
 */
import { randomBytes } from 'node:crypto';
import type { IdentityConfig } from '../../contracts/config/schema';

export interface LoadtestIdentitySecret {
  /** The variable the gate (identity.secretEnv) and the storefront's session route read it from. */
  readonly secretEnv: string;
  readonly secret: string;
}

export class LoadtestIdentitySecretError extends Error {
  readonly code = 'SALEDAY_LOADTEST_IDENTITY_SECRET';
  constructor(message: string) {
    super(message);
    this.name = 'LoadtestIdentitySecretError';
  }
}

/**
 * Undefined when identity.proof is none. A local target gets the secret from the environment, or a
 * fresh one per run; a remote target (--url) must be given its real secret, because keys signed
 * with any other would all be unproven there and share the client IP's limits.
 */
export function loadtestIdentitySecret(
  identity: Pick<IdentityConfig, 'proof' | 'secretEnv'>,
  target: 'local' | 'remote',
  env: NodeJS.ProcessEnv = process.env,
): LoadtestIdentitySecret | undefined {
  if (identity.proof === 'none') return undefined;
  const existing = env[identity.secretEnv];
  if (existing) return { secretEnv: identity.secretEnv, secret: existing };
  if (target === 'remote') {
    throw new LoadtestIdentitySecretError(
      `${identity.secretEnv}: got nothing; expected the target's identity secret in the environment (identity.proof is ${identity.proof}, so --url needs it to sign each simulated shopper's user key)`,
    );
  }
  return { secretEnv: identity.secretEnv, secret: randomBytes(24).toString('base64url') };
}
