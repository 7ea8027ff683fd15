/**
 * Tokens already verified, so a client's every request does not pay for an HMAC. Bounded in
 * entries and in bytes (token plus sub, in UTF-16 code units): a client sending large valid tokens
 * cannot grow it past `maxBytes`. The oldest entry goes first.
 */
import { InvalidOptionsError } from '../../guard/errors';

export interface VerifiedTokenCacheLimits {
  /** @default 10_000 */
  maxEntries?: number;
  /** @default 4 MiB */
  maxBytes?: number;
}

interface Entry {
  sub: string;
  expiresAtMs: number;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private bytesHeld = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(limits: VerifiedTokenCacheLimits = {}) {
    this.maxEntries = limits.maxEntries ?? 10_000;
    this.maxBytes = limits.maxBytes ?? 4 * 1024 * 1024;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new InvalidOptionsError('maxEntries', limits.maxEntries, 'a positive integer');
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1)
      throw new InvalidOptionsError('maxBytes', limits.maxBytes, 'a positive integer of bytes');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held: the sum of each entry's token and sub lengths. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** The sub of a cached, unexpired token. */
  get(token: string, nowMs: number): string | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs > nowMs) return entry.sub;
    this.remove(token, entry);
    return undefined;
  }

  set(token: string, sub: string, expiresAtMs: number): void {
    const cost = token.length + sub.length;
    if (cost > this.maxBytes) return;
    const existing = this.entries.get(token);
    if (existing) this.remove(token, existing);
    while (this.entries.size >= this.maxEntries || this.bytesHeld + cost > this.maxBytes) {
      const oldest = this.entries.entries().next().value as [string, Entry];
      this.remove(oldest[0], oldest[1]);
    }
    this.entries.set(token, { sub, expiresAtMs });
    this.bytesHeld += cost;
  }

  private remove(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.bytesHeld -= token.length + entry.sub.length;
  }
}
