/**
 * Cache headers, chosen for CloudFront: the product list is shared and short-lived, anything with
 * live stock or a user in it is never cached by a shared cache.
 */

/**
 * The product list: browsers always revalidate (max-age=0, cheap with the ETag), CloudFront keeps
 * it 5 s, serves it stale for 30 s while refetching, and for 5 min if the fleet answers errors.
 */
export const PRODUCT_LIST_CACHE = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30, stale-if-error=300';
/** Live stock, carts, orders: never stored by any cache. */
export const NO_STORE = 'no-store';
/** Personal but slow to compute: the browser may keep it a minute, shared caches never. */
export const RECOMMENDATIONS_CACHE = 'private, max-age=60';
