/**
 * Config load refuses a critical route whose timeoutMs is below the app's declared worst case
 * (`app.checkoutWorstCaseMs`): the gate would answer 504 while the app may still be completing a
 * paid order. The example config declares the reference storefront's own worst case.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../contracts/config/load-config';
import { checkoutWorstCaseMs } from '../../../storefront/checkout/checkout-budget';

const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8')) as {
  app: Record<string, unknown>;
  routes: { name: string; priority: string; timeoutMs?: number }[];
};

function edited(edit: (config: typeof example) => void): typeof example {
  const copy = structuredClone(example);
  edit(copy);
  return copy;
}

describe('critical route timeouts against the app worst case', () => {
  it("declares the reference storefront's default worst case and gives checkout more than that", () => {
    const defaults = checkoutWorstCaseMs({ storeCallTimeoutMs: 500, replicaWaitMs: 100, paymentTimeoutMs: 2000 });
    const config = parseConfig(example);
    expect(config.app.checkoutWorstCaseMs).toBe(defaults);
    const checkout = config.routes.find((route) => route.name === 'checkout');
    expect(checkout?.priority).toBe('critical');
    expect(checkout?.timeoutMs).toBeGreaterThanOrEqual(defaults);
  });

  it('refuses a critical route whose timeoutMs is below the declared worst case, naming the route and both numbers', () => {
    const config = edited((c) => {
      c.routes[0].timeoutMs = 3000;
    });
    expect(() => parseConfig(config)).toThrow(
      /routes\[0\]\.timeoutMs: got 3000; expected at least app\.checkoutWorstCaseMs \(5900 ms\) for critical route checkout/,
    );
  });

  it('leaves non-critical routes and configs without a declared worst case alone', () => {
    expect(() =>
      parseConfig(
        edited((c) => {
          delete c.app.checkoutWorstCaseMs;
          c.routes[0].timeoutMs = 3000;
        }),
      ),
    ).not.toThrow();
    expect(() =>
      parseConfig(
        edited((c) => {
          c.app.checkoutWorstCaseMs = 6500;
          c.routes[0].timeoutMs = 7000;
          c.routes[1].timeoutMs = 2000;
        }),
      ),
    ).not.toThrow();
  });

  it('refuses a worst case that is not a positive integer of milliseconds', () => {
    expect(() => parseConfig(edited((c) => (c.app.checkoutWorstCaseMs = -1)))).toThrow(
      /app\.checkoutWorstCaseMs: got -1/,
    );
  });
});
