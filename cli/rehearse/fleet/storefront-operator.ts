/**
 * What the rehearsal asks a storefront directly (not through a gate): its catalog (public URL), a
 * stock reset before the sale, faults for the slow-route phase, and its statistics for the
 * no-oversell check. The last three are the storefront's operator routes (`/_stats`, `/_faults`,
 * `/_stock/reset`), served only on its operator listener (127.0.0.1), whose URL they take.
 */
import { request } from 'undici';
import type { ShopNumbers } from '../report/rehearsal-checks';

export async function fetchProductIds(storefrontUrl: string): Promise<string[]> {
  const response = await request(`${storefrontUrl}/api/products`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = (await response.body.json()) as { products?: { id?: unknown }[] };
  const ids = (body.products ?? []).map((p) => p.id).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0)
    throw new Error(`the storefront at ${storefrontUrl} listed no products (status ${response.statusCode})`);
  return ids;
}

/** Every product back to `units` and no orders: a previous run against the same Redis leaves none behind. */
export async function resetStock(storefrontUrl: string, units: number): Promise<void> {
  await postJson(`${storefrontUrl}/_stock/reset`, { units });
}

export interface StorefrontFault {
  route: 'checkout' | 'payments' | 'recommendations' | 'products';
  latencyMs: number;
  errorRate: number;
  durationMs: number;
}

export async function injectFault(storefrontUrl: string, fault: StorefrontFault): Promise<void> {
  await postJson(`${storefrontUrl}/_faults`, fault);
}

export async function clearFaults(storefrontUrl: string): Promise<void> {
  const response = await request(`${storefrontUrl}/_faults`, { method: 'DELETE', headersTimeout: 5000 });
  await response.body.dump();
}

/** The shop's totals, retried for a few seconds (Redis may still be reconnecting after the outage). */
export async function readShopNumbers(storefrontUrl: string, attempts = 5): Promise<ShopNumbers | undefined> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    try {
      const response = await request(`${storefrontUrl}/_stats`, { headersTimeout: 5000, bodyTimeout: 5000 });
      if (response.statusCode === 200) {
        const stats = (await response.body.json()) as {
          unitsSold: number;
          oversold: boolean;
          stockByProduct: Record<string, number>;
          initialByProduct: Record<string, number>;
        };
        const stocks = Object.values(stats.stockByProduct);
        return {
          unitsSold: stats.unitsSold,
          initialUnits: Object.values(stats.initialByProduct).reduce((a, b) => a + b, 0),
          oversold: stats.oversold,
          lowestStock: stocks.length > 0 ? Math.min(...stocks) : 0,
        };
      }
      await response.body.dump();
    } catch {
      // not answering yet: try again shortly
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

async function postJson(url: string, body: unknown): Promise<void> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 5000,
  });
  await response.body.dump();
  if (response.statusCode >= 300) throw new Error(`POST ${url} answered ${response.statusCode}`);
}
