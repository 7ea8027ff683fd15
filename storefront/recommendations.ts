/**
 * Recommendations: deliberately CPU-heavy (rounds of SHA-256 standing in for a model), so it is
 * the route that hurts under load and the first one the gate sheds. Deterministic per user and
 * product, so its answers are testable.
 */
import { createHash } from 'node:crypto';
import { InvalidOptionsError } from '../guard/errors';
import type { Catalog, Product } from './catalog';

/** Hashing rounds per request: a few milliseconds of CPU, so recommendations are the expensive route. */
export const DEFAULT_RECOMMENDATIONS_WORK = 3_000;
export const RECOMMENDATIONS_COUNT = 4;

export function validateRecommendationsWork(work: number): number {
  if (!Number.isInteger(work) || work < 0 || work > 10_000_000) {
    throw new InvalidOptionsError(
      'recommendationsWork',
      work,
      'an integer number of hashing rounds between 0 and 10000000',
    );
  }
  return work;
}

export function recommend(catalog: Catalog, seed: string, work: number): Product[] {
  let digest = createHash('sha256').update(seed).digest();
  for (let round = 0; round < work; round += 1) digest = createHash('sha256').update(digest).digest();
  const picks: Product[] = [];
  const count = Math.min(RECOMMENDATIONS_COUNT, catalog.products.length);
  for (let offset = 0; picks.length < count; offset += 4) {
    const position = offset % (digest.length - 3);
    const index = (digest.readUInt32BE(position) + offset) % catalog.products.length;
    const product = catalog.products[index];
    if (!picks.includes(product)) picks.push(product);
  }
  return picks;
}
