/** What the storefront accepts from clients, validated with zod; anything else is a 400 naming the problem. */
import { z } from 'zod';
import { PRODUCT_ID_PATTERN } from './catalog';

export const MAX_CHECKOUT_QUANTITY = 10;
export const MAX_CART_QUANTITY = 99;

const productIdSchema = z.string().regex(PRODUCT_ID_PATTERN, 'must look like sku-001');

export const checkoutBodySchema = z.object({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(MAX_CHECKOUT_QUANTITY),
});

export const cartBodySchema = z.object({
  productId: productIdSchema,
  quantity: z.number().int().min(1).max(MAX_CART_QUANTITY),
});

export const resetStockBodySchema = z.object({ units: z.number().int().min(0).max(1_000_000_000).optional() }).strict();

/** Printable ASCII without spaces, as the IETF Idempotency-Key draft's examples (UUIDs, opaque tokens). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function validate<T>(schema: z.ZodType<T>, input: unknown): ValidationResult<T> {
  if (input === undefined || input === null) return { ok: false, message: 'a JSON object body is required' };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, message };
}
