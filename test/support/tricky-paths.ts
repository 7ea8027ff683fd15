/**
 * Request targets that spell the checkout path in other ways. An app's router (or a URL parser in
 * front of it) reads each as checkout, so every layer that classifies checkout (the gate's route
 * table, the WAF's checkout rule) must read them as checkout too, or a client escapes checkout's
 * limits by choosing a spelling. Shared by the gate's tests and the edge (WAF) tests; all are POSTs.
 */
export const TRICKY_CHECKOUT_PATHS: readonly { target: string; expectRoute: string }[] = [
  { target: '/api/checkout', expectRoute: 'checkout' },
  { target: '/api/checkout#', expectRoute: 'checkout' },
  { target: '/api/checkout#fragment', expectRoute: 'checkout' },
  { target: '/api/checkout?x=1#frag', expectRoute: 'checkout' },
  { target: '/api/checkout/', expectRoute: 'checkout' },
  { target: '/api/checkout?', expectRoute: 'checkout' },
  { target: '/api//checkout', expectRoute: 'checkout' },
  { target: '//api/checkout', expectRoute: 'checkout' },
  { target: '/api///checkout', expectRoute: 'checkout' },
  { target: '/api/./checkout', expectRoute: 'checkout' },
  { target: '/./api/checkout', expectRoute: 'checkout' },
  { target: '/api/x/../checkout', expectRoute: 'checkout' },
  { target: '/api/cart/../checkout', expectRoute: 'checkout' },
  { target: '/api/checkout?coupon=x', expectRoute: 'checkout' },
  { target: '/assets/../api/checkout', expectRoute: 'checkout' },
  { target: '/api/%2e/checkout', expectRoute: 'checkout' },
  { target: '/assets/%2E%2E/api/checkout', expectRoute: 'checkout' },
  { target: '/api/%63heckout', expectRoute: 'checkout' },
  { target: '/api/%63%68%65%63%6b%6f%75%74', expectRoute: 'checkout' },
  { target: '/api/%63%68%65%63%6B%6F%75%74', expectRoute: 'checkout' },
  { target: '/%61pi/checkout', expectRoute: 'checkout' },
  { target: '/api%2fcheckout', expectRoute: 'checkout' },
  { target: '/api%2Fcheckout', expectRoute: 'checkout' },
  { target: '/API/CHECKOUT', expectRoute: 'checkout' },
  { target: '/Api/Checkout', expectRoute: 'checkout' },
  { target: '/api/checkOUT/', expectRoute: 'checkout' },
  { target: '/api/%43HECKOUT', expectRoute: 'checkout' },
];
