/**
 * The config's `identity`: where the user key travels and how it is proven.
 */
import { z } from 'zod';

export const IdentitySchema = z
  .object({
    /** Where the user key travels: a header or a cookie (one of the two). */
    header: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'expected a lower-case header name')
      .optional(),
    cookie: z
      .string()
      .regex(/^[A-Za-z0-9_\-.]+$/, 'expected a cookie name')
      .optional(),
    /**
     * none: the key is trusted as sent (fine behind an authenticating layer); jwt: the key is the
     * `sub` of an HS256 JWT; hmac: the value is `<key>.<base64url HMAC-SHA256(key)>`. An unproven key
     * counts as the client IP. The example config uses hmac with the `saleday-session` cookie the
     * reference storefront mints at POST /api/session; keep none for an app whose own auth layer, in
     * front of the gate, sets the header and strips any copy the client sent.
     */
    proof: z.enum(['none', 'jwt', 'hmac']).default('none'),
    /** Environment variable holding the secret for jwt/hmac (never the secret itself). */
    secretEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')
      .default('SALEDAY_IDENTITY_SECRET'),
    /** How many X-Forwarded-For hops our own infrastructure appends (CloudFront, ALB). */
    trustedProxyHops: z.number().int().min(0).max(5).default(2),
  })
  .strict()
  .superRefine((id, ctx) => {
    if ((id.header === undefined) === (id.cookie === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['header'],
        input: id.header,
        message: 'expected exactly one of header or cookie to carry the user key',
      });
    }
  });
export type IdentityConfig = z.infer<typeof IdentitySchema>;
