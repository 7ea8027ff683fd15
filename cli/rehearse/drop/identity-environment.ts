/** The identity secret the children and the visitors share, when the config asks for signed user keys. */
import { randomBytes } from 'node:crypto';
import type { SaledayConfig } from '../../../contracts/config/schema';

export function identityEnvironment(
  config: Pick<SaledayConfig, 'identity'>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (config.identity.proof === 'none') return {};
  return { [config.identity.secretEnv]: env[config.identity.secretEnv] ?? randomBytes(24).toString('base64url') };
}
