/**
 * The config's `waf`: the limits and rule groups of the edge and gateway WebACLs.
 */
import { z } from 'zod';

export const WafSchema = z
  .object({
    /**
     * Requests per IP per window on every path but the static-asset routes (AWS minimum 10). One
     * carrier-NAT address can carry a hundred shoppers at once, each making about 20 page and API
     * requests a minute in a drop: 100 × 20 × 5 minutes = 10,000 in the default 5-minute window.
     * @default 10000
     */
    perIpLimit: z.number().int().min(10).max(2_000_000_000).default(10_000),
    /** Requests per IP per window on the critical (checkout) paths, whatever the user key. @default 50 */
    criticalPerIpLimit: z.number().int().min(10).max(2_000_000_000).default(50),
    /**
     * What the critical-path rules do to a request over a limit or without a user key: `block`, or
     * `captcha` (a person can go on; the shop's checkout call must handle the CAPTCHA, see README).
     * @default "block"
     */
    criticalAction: z.enum(['block', 'captcha']).default('block'),
    /** Requests per user key per window. */
    perUserKeyLimit: z.number().int().min(10).max(2_000_000_000).default(1500),
    /** Tighter per-user-key limit on critical (checkout) paths. */
    checkoutPerUserKeyLimit: z.number().int().min(10).max(2_000_000_000).default(100),
    windowSeconds: z.union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)]).default(300),
    /**
     * AWS WAF Bot Control (extra cost per request): `common` (self-identifying bots; `true` means
     * this) or `targeted` (also browser-fingerprint and behaviour checks that challenge clients without
     * a valid aws-waf-token; the shop's pages must load the WAF JavaScript integration). @default false
     */
    botControl: z.union([z.boolean(), z.enum(['common', 'targeted'])]).default(false),
    /** AWS WAF anti-DDoS managed rule group (extra cost). */
    antiDdos: z.boolean().default(false),
    logRetentionDays: z.number().int().positive().default(30),
  })
  .strict();
