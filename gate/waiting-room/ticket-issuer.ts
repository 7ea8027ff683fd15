/**
 * The gate's half of joining the queue: one Redis INCR per ticket, bound to the visitor's identity
 * and signed. The counter's value is also the pre-queue size the controller reads at the opening
 * (ticket numbers start at 0, so every number below it was issued before).
 */
import type { Clock } from '../../guard/clock';
import { encodeTicket, identityHash, type WaitingRoomTicket } from './room-cookies';

/** The few Redis commands issuance needs (an ioredis client fits). */
export interface TicketCounterStore {
  incr(key: string): Promise<number>;
  get(key: string): Promise<string | null>;
}

export interface SigningKey {
  kid: string;
  secret: string;
}

export interface TicketIssuerOptions {
  store: TicketCounterStore;
  saleName: string;
  /** Goes before the hash tag (tests use a unique one). @default 'saleday' */
  keyPrefix?: string;
  /** The current signing key (the one the room's state names). */
  signingKey: () => SigningKey;
  /** Wall time: the edge and the controller compare a ticket's issuedAtMs with theirs. */
  clock: Clock;
}

export interface IssuedTicket {
  ticket: WaitingRoomTicket;
  /** The signed cookie value. */
  cookieValue: string;
}

/** `<prefix>:{wr:<sale>}:tickets`: hash-tagged, so it lives on one slot beside the room's other keys. */
export function ticketCounterKey(saleName: string, keyPrefix = 'saleday'): string {
  if (/[{}]/.test(keyPrefix) || /[{}]/.test(saleName))
    throw new RangeError(
      `waiting room key: got prefix ${JSON.stringify(keyPrefix)} and sale ${JSON.stringify(saleName)}; expected no braces (they would move the hash tag)`,
    );
  return `${keyPrefix}:{wr:${saleName}}:tickets`;
}

export class TicketIssuer {
  private readonly key: string;

  constructor(private readonly options: TicketIssuerOptions) {
    this.key = ticketCounterKey(options.saleName, options.keyPrefix);
  }

  /** A new ticket for `identity` (the gate's `saleday-user` value: `u:<key>` or `ip:<addr>`). */
  async issue(identity: string): Promise<IssuedTicket> {
    if (!identity)
      throw new RangeError('waiting room ticket: expected the identity the gate established, got an empty one');
    const { kid, secret } = this.options.signingKey();
    const issuedAtMs = Math.floor(this.options.clock.now());
    const number = (await this.options.store.incr(this.key)) - 1;
    const ticket = { number, issuedAtMs, identityHash: identityHash(secret, identity), kid };
    return { ticket, cookieValue: encodeTicket(ticket, secret) };
  }

  /** How many tickets were issued so far: the pre-queue size when read at the opening. */
  async issuedCount(): Promise<number> {
    return Number((await this.options.store.get(this.key)) ?? 0);
  }
}
