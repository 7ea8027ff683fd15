import {
  formatWaitingRoomSigningKeys,
  isWaitingRoomSecretsError,
  parseWaitingRoomSigningKeys,
} from '../../contracts/waiting-room-secrets';

const A = 'a'.repeat(20);
const B = 'b'.repeat(20);

describe('parseWaitingRoomSigningKeys', () => {
  it.each([
    ['kid:secret list', `k1:${A},k2:${B}`],
    ['JSON object (what CDK generates)', JSON.stringify({ k1: A, k2: B })],
  ])('reads the %s with the first key as the current one', (_name, text) => {
    const keys = parseWaitingRoomSigningKeys(text);
    expect(keys.current).toBe('k1');
    expect([...keys.keys]).toEqual([
      ['k1', A],
      ['k2', B],
    ]);
  });

  it('round-trips through the kid:secret spelling the gate reads', () => {
    const keys = parseWaitingRoomSigningKeys(JSON.stringify({ k2: B, k1: A }));
    expect(formatWaitingRoomSigningKeys(keys)).toBe(`k2:${B},k1:${A}`);
  });

  it.each([
    ['nothing', '', /got no key/],
    ['a short secret', 'k1:short', /entry 1 of 1 is not valid/],
    ['a bad key id', `k 1:${A}`, /entry 1 of 1 is not valid/],
    ['a missing key id', `${A}`, /entry 1 of 1 has no key id/],
    ['a repeated key id', `k1:${A},k1:${B}`, /k1 appears twice/],
    ['broken JSON', '{"k1":', /not JSON/],
    ['a JSON value that is not a string', '{"k1": 5}', /entry 1 of 1 is not a string/],
  ])('rejects %s with a message that never shows the secret', (_name, text, message) => {
    let thrown: unknown;
    try {
      parseWaitingRoomSigningKeys(text, 'SECRETS');
    } catch (error) {
      thrown = error;
    }
    expect(isWaitingRoomSecretsError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/^SECRETS: /);
    expect((thrown as Error).message).not.toContain(A);
  });
});
