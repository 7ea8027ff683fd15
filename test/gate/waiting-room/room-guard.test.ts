import { WAITING_ROOM_PASS_COOKIE, type WaitingRoomState } from '../../../contracts/waiting-room';
import { encodePass, guardRoom, identityHash, parseSigningSecrets } from '../../../gate/waiting-room';

const SECRET = 'a-signing-secret-of-some-length';
const secretOf = (kid: string) => (kid === 'k1' ? SECRET : undefined);
const NOW = 1_800_000_000_000;
const open = { open: true } as WaitingRoomState;
const passFor = (identity: string) =>
  `${WAITING_ROOM_PASS_COOKIE}=${encodePass({ number: 1, expiresAtMs: NOW + 1000, capAtMs: NOW + 1000, identityHash: identityHash(SECRET, identity), kid: 'k1' }, SECRET)}`;
const request = (path: string, cookieHeader?: string) => ({
  path,
  url: `${path}?q=1`,
  cookieHeader,
  identity: 'u:alice',
});

describe('guardRoom', () => {
  it.each([
    ['the room is closed', { open: false } as WaitingRoomState, request('/api/checkout'), 'room-closed'],
    ['no room state was read yet', undefined, request('/api/checkout'), 'room-closed'],
    ['the gate’s own paths (the join among them)', open, request('/_gate/queue/join'), 'unprotected'],
    ['the health check', open, request('/healthz'), 'unprotected'],
    ['a path the gate was told is outside the room', open, request('/assets/app.js'), 'unprotected'],
    ['a valid pass of this identity', open, request('/api/checkout', passFor('u:alice')), 'pass'],
  ])('lets the request through when %s', (_name, state, req, why) => {
    const verdict = guardRoom({
      state,
      request: req,
      secretOf,
      nowMs: NOW,
      isUnprotected: (p) => p.startsWith('/assets/'),
    });
    expect(verdict).toEqual(expect.objectContaining({ admit: true, why }));
  });

  it.each([
    ['no pass', undefined, 'missing'],
    ['a pass of another identity', passFor('u:mallory'), 'other-identity'],
  ])('refuses %s and names the join to come back from', (_name, cookieHeader, reason) => {
    const verdict = guardRoom({ state: open, request: request('/api/checkout', cookieHeader), secretOf, nowMs: NOW });
    expect(verdict).toEqual({
      admit: false,
      reason,
      joinLocation: `/_gate/queue/join?next=${encodeURIComponent('/api/checkout?q=1')}`,
    });
  });
});

describe('parseSigningSecrets', () => {
  it('reads kid:secret pairs', () => {
    expect(parseSigningSecrets('k1:0123456789abcdef, k2:fedcba9876543210')).toEqual(
      new Map([
        ['k1', '0123456789abcdef'],
        ['k2', 'fedcba9876543210'],
      ]),
    );
    expect(parseSigningSecrets(undefined).size).toBe(0);
  });

  it('reads the JSON object Secrets Manager hands the container, the first key first', () => {
    const secrets = parseSigningSecrets('{"k2":"fedcba9876543210fedc","k1":"0123456789abcdef0123"}');
    expect([...secrets.keys()]).toEqual(['k2', 'k1']);
    expect(secrets.get('k1')).toBe('0123456789abcdef0123');
    expect(() => parseSigningSecrets('{"k1":"short"}')).toThrow(/entry 1 of 1 is not valid/);
  });

  it('names a bad entry by position without printing it', () => {
    let message = '';
    try {
      parseSigningSecrets('k1:0123456789abcdef,k2:short-secret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'SALEDAY_WAITING_ROOM_SECRETS: entry 2 of 2 is not valid; expected kid:secret with a key id of 1-32 letters, digits, _ or - and a secret of at least 16 characters',
    );
    expect(message).not.toContain('short-secret');
  });
});
