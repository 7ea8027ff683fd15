/**
 * Preflight asks for AWS credentials once, before any check: without them every check would fail
 * with the same SDK error; with this, the user reads one line saying what to set up.
 */
import { failed, type CheckResult } from './check-result';
import type { PreflightClients } from './preflight-clients';

export const AWS_CREDENTIALS_CHECK = 'AWS credentials';

export const CONFIGURE_CREDENTIALS =
  'configure AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login) for the account of the sale; no check ran';

/** Errors AWS answers when credentials exist but are refused (expired, revoked, wrong account). */
const REFUSED_CREDENTIALS =
  /ExpiredToken|InvalidClientTokenId|UnrecognizedClientException|security token included in the request is (invalid|expired)|could not load credentials/i;

/** The one failed line when no credentials resolve, or undefined when they do. */
export async function missingCredentials(clients: PreflightClients): Promise<CheckResult | undefined> {
  try {
    const identity = await clients.cloudFormation.config.credentials();
    if (!identity?.accessKeyId) return failed(AWS_CREDENTIALS_CHECK, CONFIGURE_CREDENTIALS);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return failed(AWS_CREDENTIALS_CHECK, `${CONFIGURE_CREDENTIALS} (${reason})`);
  }
}

/** When every check failed on refused credentials, the one line that says so instead of each. */
export function refusedCredentials(checks: readonly CheckResult[]): CheckResult | undefined {
  if (checks.length === 0 || !checks.every((c) => !c.pass && REFUSED_CREDENTIALS.test(c.detail))) return undefined;
  return failed(
    AWS_CREDENTIALS_CHECK,
    `AWS refused the credentials (${checks[0]!.detail}): refresh them (aws sso login, or new keys) and run preflight again`,
  );
}
