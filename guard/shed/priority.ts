/**
 * The priority classes admission control knows, highest first. The library owns this list: an
 * application maps its own notion of priority onto it (the gate does so in gate/proxy/guard-options.ts).
 *
 * - critical: the request the whole service exists for (checkout); owns a reserved share of the limit.
 * - high: the way to it (product pages, the cart); may borrow critical's idle reserve.
 * - normal, low: shed first, never borrow.
 */
export const PRIORITY_CLASSES = ['critical', 'high', 'normal', 'low'] as const;

export type PriorityClass = (typeof PRIORITY_CLASSES)[number];
