import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  authTokenFromSecret,
  fetchRedisAuthToken,
  isRedisAuthSecretError,
} from '../../../lambda/flag-controller/redis-auth';

const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-AbCdEf';

beforeEach(() => secrets.reset());

describe('Redis AUTH secret', () => {
  it.each([
    ['a plain string', 'tok3n-value', 'tok3n-value'],
    ['a plain string with whitespace', '  tok3n-value\n', 'tok3n-value'],
    ['JSON with authToken', '{"authToken":"from-json"}', 'from-json'],
    ['JSON with password (a generated secret)', '{"username":"default","password":"pw"}', 'pw'],
    ['a token that merely starts with a brace', '{not-json', '{not-json'],
  ])('reads %s', (_name, secret, token) => {
    expect(authTokenFromSecret(secret)).toBe(token);
  });

  it('names the fields it looked for when JSON has none of them', () => {
    let error: unknown;
    try {
      authTokenFromSecret('{"user":"x"}', ARN);
    } catch (e) {
      error = e;
    }
    expect(isRedisAuthSecretError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Redis AUTH secret ${ARN}: got JSON with fields user; expected one of authToken, token, password`,
    );
  });

  it('fetches the secret by ARN', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: '{"authToken":"abc"}' });
    await expect(fetchRedisAuthToken(client, ARN)).resolves.toBe('abc');
  });

  it('refuses a secret without a string value', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });
    await expect(fetchRedisAuthToken(client, ARN)).rejects.toThrow(/got no SecretString/);
  });
});
