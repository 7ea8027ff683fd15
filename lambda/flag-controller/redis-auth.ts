/**
 * The ElastiCache AUTH token from Secrets Manager. The secret may hold the token itself or JSON
 * such as {"authToken": "…"} (what a generated CDK secret looks like).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export class RedisAuthSecretError extends Error {
  readonly code = 'SALEDAY_REDIS_AUTH_SECRET';
  constructor(
    readonly secretArn: string,
    detail: string,
  ) {
    super(`Redis AUTH secret ${secretArn}: ${detail}`);
    this.name = 'RedisAuthSecretError';
  }
}

export function isRedisAuthSecretError(error: unknown): error is RedisAuthSecretError {
  return error instanceof RedisAuthSecretError;
}

const TOKEN_FIELDS = ['authToken', 'token', 'password'] as const;

export async function fetchRedisAuthToken(client: SecretsManagerClient, secretArn: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (SecretString === undefined || SecretString.trim() === '')
    throw new RedisAuthSecretError(secretArn, 'got no SecretString; expected the token or {"authToken": "…"}');
  return authTokenFromSecret(SecretString, secretArn);
}

export function authTokenFromSecret(secret: string, secretArn = 'secret'): string {
  const text = secret.trim();
  if (!text.startsWith('{')) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text; // a plain token that happens to start with a brace
  }
  for (const field of TOKEN_FIELDS) {
    const value = (parsed as Record<string, unknown>)[field];
    if (typeof value === 'string' && value !== '') return value;
  }
  throw new RedisAuthSecretError(
    secretArn,
    `got JSON with fields ${Object.keys(parsed as object).join(', ') || '(none)'}; expected one of ${TOKEN_FIELDS.join(', ')}`,
  );
}
