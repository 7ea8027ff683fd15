import { WAITING_ROOM_PASS_COOKIE, WAITING_ROOM_TICKET_COOKIE } from '../../../contracts/waiting-room';
import {
  answerJoin,
  checkPass,
  cookieValue,
  encodePass,
  encodeTicket,
  identityHash,
  safeNext,
  TicketIssuer,
} from '../../../gate/waiting-room';
import { FakeClock } from '../../support/fake-clock';

const SECRET = 'a-signing-secret-of-some-length';
const secretOf = (kid: string) => (kid === 'k1' ? SECRET : undefined);
const NOW = 1_800_000_000_000;
const alice = identityHash(SECRET, 'u:alice');
const pass = (fields: Partial<{ expiresAtMs: number; identityHash: string; kid: string }> = {}, secret = SECRET) =>
  `${WAITING_ROOM_PASS_COOKIE}=${encodePass({ number: 4, expiresAtMs: NOW + 60_000, capAtMs: NOW + 600_000, identityHash: alice, kid: 'k1', ...fields }, secret)}`;

describe('checkPass (the gate’s defence in depth)', () => {
  const rows: Array<[string, string | undefined, string]> = [
    ['no cookie header', undefined, 'missing'],
    ['no pass cookie', 'theme=dark', 'missing'],
    ['a malformed value', `${WAITING_ROOM_PASS_COOKIE}=p1:4:x`, 'malformed'],
    ['a key the gate does not know', pass({ kid: 'k9' }), 'unknown-key'],
    ['a forged signature', pass({}, 'another-secret-entirely-0000'), 'bad-signature'],
    ['an expired pass', pass({ expiresAtMs: NOW }), 'expired'],
    ['a pass bound to someone else', pass({ identityHash: identityHash(SECRET, 'u:bob') }), 'other-identity'],
  ];
  it.each(rows)('refuses %s', (_name, cookieHeader, reason) => {
    expect(checkPass({ cookieHeader, identity: 'u:alice', secretOf, nowMs: NOW })).toEqual({ ok: false, reason });
  });

  it('accepts a valid pass among other cookies', () => {
    const result = checkPass({ cookieHeader: `a=1; ${pass()}; b=2`, identity: 'u:alice', secretOf, nowMs: NOW });
    expect(result).toEqual({
      ok: true,
      pass: { number: 4, expiresAtMs: NOW + 60_000, capAtMs: NOW + 600_000, identityHash: alice, kid: 'k1' },
    });
  });

  it('reads a cookie by exact name', () => {
    expect(cookieValue('xsaleday-wr-pass=1; saleday-wr-pass=2', WAITING_ROOM_PASS_COOKIE)).toBe('2');
  });
});

describe('answerJoin', () => {
  const issuedNumbers: string[] = [];
  const store = {
    incr: async (key: string) => (issuedNumbers.push(key), issuedNumbers.length),
    get: async () => String(issuedNumbers.length),
  };
  const issuer = new TicketIssuer({
    store,
    saleName: 'winter-flash',
    signingKey: () => ({ kid: 'k1', secret: SECRET }),
    clock: new FakeClock(NOW),
  });

  it('keeps the visitor’s own valid ticket instead of issuing another (no new place at the back)', async () => {
    const own = encodeTicket({ number: 12, issuedAtMs: NOW - 5000, identityHash: alice, kid: 'k1' }, SECRET);
    const before = issuedNumbers.length;
    const answer = await answerJoin({
      issuer,
      identity: 'u:alice',
      next: '/drop',
      cookieHeader: `${WAITING_ROOM_TICKET_COOKIE}=${own}`,
      secretOf,
    });
    expect(answer).toEqual(expect.objectContaining({ kept: true, setCookie: [], location: '/drop' }));
    expect(issuedNumbers.length).toBe(before);
  });

  it('issues a new ticket when the one presented belongs to another identity', async () => {
    const bobs = encodeTicket(
      { number: 3, issuedAtMs: NOW, identityHash: identityHash(SECRET, 'u:bob'), kid: 'k1' },
      SECRET,
    );
    const answer = await answerJoin({
      issuer,
      identity: 'u:alice',
      next: '/',
      cookieHeader: `${WAITING_ROOM_TICKET_COOKIE}=${bobs}`,
      secretOf,
    });
    expect(answer.kept).toBe(false);
    expect(answer.setCookie[0]).toMatch(
      new RegExp(
        `^${WAITING_ROOM_TICKET_COOKIE}=t1:\\d+:${NOW}:${alice}:k1\\.[A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=86400$`,
      ),
    );
  });

  it.each([
    [undefined, '/'],
    ['/products/drop?size=42', '/products/drop?size=42'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['/a\r\nSet-Cookie: x=1', '/'],
    ['/_gate/queue/join?next=/x', '/'],
  ])('sends next=%s back to %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
