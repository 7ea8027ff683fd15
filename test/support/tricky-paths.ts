/**
 * Request targets that spell the checkout path in ways a naive matcher misses, and the route of the
 * example config each must reach. The gate's tests route them; the WAF tests check the edge
 * rules read them the same way.
 */
export const TRICKY_CHECKOUT_PATHS: readonly { target: string; expectRoute: string }[] = [
  { target: '/api/checkout', expectRoute: 'checkout' },
  { target: '/api//checkout', expectRoute: 'checkout' },
  { target: '/api/%63heckout', expectRoute: 'checkout' },
  { target: '/api/./checkout', expectRoute: 'checkout' },
  { target: '/api/cart/../checkout', expectRoute: 'checkout' },
  { target: '/api/%2e/checkout', expectRoute: 'checkout' },
  { target: '/api%2Fcheckout', expectRoute: 'checkout' },
  { target: '/api/checkout?coupon=x', expectRoute: 'checkout' },
  { target: '/API/Checkout', expectRoute: 'pages' },
];
