/**
 * One visitor's drop, as a person with a browser lives it: ask for the shop, get sent to the join,
 * come back with a ticket, wait on the waiting page (polling when its Retry-After says), give up if
 * impatient, and once the edge hands out a pass, shop: the page, the catalog, a few products, the
 * cart and the checkout. Everything it saw goes into its record.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { VisitorRecord } from './drop-records';
import type { EdgeAnswer, VisitorClient } from './visitor-client';

export interface JourneyContext {
  /** Milliseconds since the start of the run. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** True once the run is over: every journey stops where it is. */
  stopped(): boolean;
  productIds: readonly string[];
  random: () => number;
  thinkMs: number;
  /** Where the line stands now (places below are admitted), to turn people-ahead into a place. */
  lineAt(): number;
  /** Connections for shopping, apart from the waiting visitors' polls. */
  shopDispatcher: Dispatcher;
}

/** Arrive, join, wait; returns true when admitted (the record says when), false when it left or the run ended. */
export async function waitInLine(
  client: VisitorClient,
  record: VisitorRecord,
  ctx: JourneyContext,
  options: { path: string; abandonAtMs?: number; giveUpAfterFailures?: number },
): Promise<boolean> {
  let path = options.path;
  let failures = 0;
  while (!ctx.stopped()) {
    const answer = await client.send('GET', path);
    if (answer.retriedAfter) record.problems.push(`${path}: sent again after ${answer.retriedAfter}`);
    record.ticketNumber ??= client.ticketNumber();
    if (answer.room === 'admitted' || answer.room === 'renewed' || (answer.status === 200 && !answer.room)) {
      record.admittedAtMs = ctx.now();
      if (answer.status === 200) record.problems.push('served without a pass (the room was closed)');
      return true;
    }
    if ((answer.status === 302 || answer.status === 307) && answer.location) {
      // To the join (the edge, or the gate's own pass check), or back from it with a ticket.
      path = answer.location;
      continue;
    }
    if (answer.room === 'waiting' && answer.waiting) {
      const w = answer.waiting;
      if (w.status === 'waiting' && w.peopleAhead !== null) record.place = ctx.lineAt() + w.peopleAhead;
      if (w.status === 'waiting' && w.estimatedWaitSeconds !== null && record.firstEstimate === undefined) {
        // Read when the page arrives: the edge answers from the line as it stands then, however late the request reached it.
        record.firstEstimate = { atMs: ctx.now(), seconds: w.estimatedWaitSeconds };
      }
      if (!(await pause(ctx, (answer.retryAfterSeconds ?? 2) * 1000, record, options.abandonAtMs))) return false;
      path = options.path;
      continue;
    }
    failures += 1;
    record.problems.push(describe(answer, path));
    if (failures >= (options.giveUpAfterFailures ?? 20)) return false;
    if (!(await pause(ctx, (answer.retryAfterSeconds ?? 1) * 1000, record, options.abandonAtMs))) return false;
  }
  return false;
}

/** Waits `ms`, unless the visitor gives up first (recorded) or the run ends; true when it still waits. */
async function pause(
  ctx: JourneyContext,
  ms: number,
  record: VisitorRecord,
  abandonAtMs: number | undefined,
): Promise<boolean> {
  const until = ctx.now() + ms;
  if (abandonAtMs !== undefined && abandonAtMs < until) {
    await ctx.sleep(Math.max(0, abandonAtMs - ctx.now()));
    record.abandonedAtMs = ctx.now();
    return false;
  }
  await ctx.sleep(ms);
  return !ctx.stopped();
}

/** The admitted shopper's visit: page, catalog, products, cart, checkout (a renewal redirect is followed). */
export async function shop(
  client: VisitorClient,
  record: VisitorRecord,
  ctx: JourneyContext,
  browseCount: number,
): Promise<void> {
  const product = () => ctx.productIds[Math.floor(ctx.random() * ctx.productIds.length)]!;
  const steps: { method: 'GET' | 'POST'; path: string; body?: () => string; checkout?: boolean }[] = [
    { method: 'GET', path: '/' },
    { method: 'GET', path: '/api/products' },
    ...Array.from({ length: browseCount }, () => ({ method: 'GET' as const, path: `/api/products/${product()}` })),
    { method: 'POST', path: '/api/cart', body: () => JSON.stringify({ productId: product(), quantity: 1 }) },
    {
      method: 'POST',
      path: '/api/checkout',
      body: () => JSON.stringify({ productId: product(), quantity: 1 }),
      checkout: true,
    },
  ];
  for (const step of steps) {
    if (ctx.stopped()) return;
    const headers: Record<string, string> = step.checkout ? { 'idempotency-key': randomUUID() } : {};
    const body = step.body?.();
    const atMs = ctx.now();
    let answer = await client.send(step.method, step.path, body, headers, ctx.shopDispatcher);
    if (answer.room === 'renewed')
      answer = await client.send(step.method, step.path, body, headers, ctx.shopDispatcher);
    if (answer.retriedAfter) record.problems.push(`${step.path}: sent again after ${answer.retriedAfter}`);
    if (answer.error) record.problems.push(describe(answer, step.path));
    if (answer.room && answer.room !== 'renewed')
      record.problems.push(`the edge answered ${answer.room} to an admitted shopper (${step.path})`);
    record.shop.push({
      atMs,
      latencyMs: Math.round(answer.latencyMs),
      status: answer.status,
      outcome: answer.outcome,
      checkout: step.checkout === true,
    });
    await ctx.sleep(ctx.thinkMs * (0.5 + ctx.random()));
  }
}

function describe(answer: EdgeAnswer, path: string): string {
  if (answer.error) return `${path}: ${answer.error}`;
  return `${path}: answered ${answer.status}${answer.outcome ? ` (${answer.outcome})` : ''}${answer.room ? ` [${answer.room}]` : ''}`;
}
