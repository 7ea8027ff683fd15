/**
 * The open-loop traffic generator: requests are sent on schedule whatever the answers do, and each
 * latency is measured from the intended send time, so a slow fleet cannot slow the generator down
 * and hide its own slowness (no coordinated omission). It is also the load balancer: requests go
 * round-robin over the gates, through one undici pool per gate.
 *
 * When more than `maxOutstanding` requests are in flight the generator cannot honestly keep its
 * schedule; such sends are recorded as `dropped` rather than silently skipped (they carry no latency).
 *
 * Connections: shoppers and bots are different clients, and a shopper's checkout is not queued in a
 * browser behind someone else's product list, so each gate gets one pool per shopper priority class
 * and one for the bots. With a single shared pool, a flood filled every connection and checkouts
 * waited in the generator's own queue, a latency the shop never caused.
 *
 * The generator also records how late each tick ran (its schedule lag, per second): requests meant
 * for a late tick leave late, and the report treats those seconds as the generator's trouble.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { OUTCOME_HEADER, type GateOutcome } from '../../../contracts/metrics/gate-metrics';
import { PRIORITY_CLASSES, type PriorityClass } from '../../../contracts/config/schema';
import type { ClientOutcome, OutcomeRecorder } from './outcome-recorder';
import type { PlannedRequest, RequestFactory } from './request-factory';
import {
  activeBotFloods,
  cumulativeMix,
  pickAction,
  shopperMultiplierAt,
  type TrafficProfile,
} from './traffic-profile';

const GATE_OUTCOMES: ReadonlySet<string> = new Set<GateOutcome>([
  'served',
  'shed',
  'degraded',
  'fallback',
  'limited',
  'short-circuited',
  'upstream-error',
  'bad-request',
]);

export interface TrafficGeneratorOptions {
  /** Gate origins, e.g. http://127.0.0.1:8080. */
  targets: readonly string[];
  profile: TrafficProfile;
  durationMs: number;
  factory: RequestFactory;
  recorder: OutcomeRecorder;
  random: () => number;
  /** Keep-alive connections per gate. @default 64 */
  connectionsPerTarget?: number;
  /** Scheduler tick. @default 5 */
  tickMs?: number;
  /**
   * Called as each answer comes back, with its HTTP status (undefined for a timeout or a connection
   * error): what the load balancer in front of the gates would count.
   */
  onAnswer?: (status: number | undefined) => void;
}

export class TrafficGenerator {
  /** Per gate: one pool per shopper priority class, one for the bots. */
  private readonly pools: { shopper: Record<PriorityClass, Pool>; bot: Pool }[];
  private readonly shopperMix;
  private readonly botMixes;
  private startPerf = 0;
  private lastTickMs = 0;
  private shopperCredit = 0;
  private readonly botCredit = new Map<number, number>();
  private nextTarget = 0;
  private outstanding = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished: (() => void) | undefined;
  private stopped = false;
  private readonly sentBySecond: number[] = [];
  private readonly lagBySecond: number[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly options: TrafficGeneratorOptions) {
    if (options.targets.length === 0)
      throw new TypeError('TrafficGenerator: targets: got an empty list; expected at least one gate URL');
    const pool = (url: string) =>
      new Pool(url, { connections: options.connectionsPerTarget ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
    this.pools = options.targets.map((url) => ({
      shopper: Object.fromEntries(PRIORITY_CLASSES.map((c) => [c, pool(url)])) as Record<PriorityClass, Pool>,
      bot: pool(url),
    }));
    this.shopperMix = cumulativeMix(options.profile.baseline.mix);
    this.botMixes = new Map(
      options.profile.phases.flatMap((phase, index) =>
        phase.kind === 'bot-flood' ? [[index, cumulativeMix(phase.mix)] as const] : [],
      ),
    );
  }

  /** Runs the schedule for the whole duration; resolves when it is over and every answer is in. */
  run(): Promise<void> {
    this.startPerf = performance.now();
    this.lastTickMs = 0;
    return new Promise<void>((resolve) => {
      this.finished = resolve;
      this.schedule();
    });
  }

  /** Milliseconds since the schedule started. */
  elapsedMs(): number {
    return this.startPerf === 0 ? 0 : performance.now() - this.startPerf;
  }

  /** Requests sent (or dropped) in the last complete second. */
  sentLastSecond(): number {
    const second = Math.floor(this.elapsedMs() / 1000) - 1;
    return second >= 0 ? (this.sentBySecond[second] ?? 0) : 0;
  }

  /** How late the scheduler ran in each second of the run (ms; the largest gap beyond its tick). */
  scheduleLagMsBySecond(): number[] {
    return Array.from({ length: this.lagBySecond.length }, (_, i) => this.lagBySecond[i] ?? 0);
  }

  /** Stops sending at once (Ctrl-C); outstanding requests are aborted. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  async close(): Promise<void> {
    this.stop();
    if (this.timer) clearTimeout(this.timer);
    const pools = this.pools.flatMap((p) => [...Object.values(p.shopper), p.bot]);
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.tick(), this.options.tickMs ?? 5);
  }

  private tick(): void {
    const { durationMs, profile } = this.options;
    const nowMs = Math.min(this.elapsedMs(), durationMs);
    const fromMs = this.lastTickMs;
    const spanMs = nowMs - fromMs;
    if (!this.stopped && spanMs > 0) {
      this.noteLag(fromMs, nowMs, spanMs - (this.options.tickMs ?? 5));
      const middle = fromMs + spanMs / 2;
      const shopperRate = profile.baseline.requestsPerSecond * shopperMultiplierAt(profile, middle, durationMs);
      this.shopperCredit += (shopperRate * spanMs) / 1000;
      this.shopperCredit = this.sendDue(this.shopperCredit, fromMs, spanMs, () => {
        const user = `user-${Math.floor(this.options.random() * profile.baseline.users)}`;
        return {
          request: this.options.factory.build(pickAction(this.shopperMix, this.options.random()), user),
          actor: 'shopper' as const,
        };
      });
      for (const flood of activeBotFloods(profile, middle, durationMs)) {
        const index = profile.phases.indexOf(flood);
        const mix = this.botMixes.get(index)!;
        const credit = (this.botCredit.get(index) ?? 0) + (flood.requestsPerSecond * spanMs) / 1000;
        this.botCredit.set(
          index,
          this.sendDue(credit, fromMs, spanMs, () => {
            const key = `bot-${index}-${Math.floor(this.options.random() * flood.keys)}`;
            return {
              request: this.options.factory.build(pickAction(mix, this.options.random()), key),
              actor: 'bot' as const,
            };
          }),
        );
      }
      this.lastTickMs = nowMs;
    }
    if (nowMs >= durationMs || this.stopped) {
      this.timer = undefined;
      this.settle();
      return;
    }
    this.schedule();
  }

  /** Sends the whole requests `credit` allows, spread evenly over the span; returns the credit left. */
  private sendDue(
    credit: number,
    fromMs: number,
    spanMs: number,
    next: () => { request: PlannedRequest; actor: 'shopper' | 'bot' },
  ): number {
    const count = Math.floor(credit);
    for (let i = 0; i < count; i += 1) {
      const intendedAtMs = fromMs + ((i + 1) / count) * spanMs;
      const { request, actor } = next();
      this.send(request, actor, intendedAtMs);
    }
    return credit - count;
  }

  private send(request: PlannedRequest, actor: 'shopper' | 'bot', intendedAtMs: number): void {
    const second = Math.floor(intendedAtMs / 1000);
    this.sentBySecond[second] = (this.sentBySecond[second] ?? 0) + 1;
    const base = { actor, priorityClass: request.priorityClass, intendedAtMs, checkoutQuantity: request.quantity };
    if (this.outstanding >= this.options.profile.maxOutstanding) {
      this.options.recorder.record({ ...base, latencyMs: 0, outcome: 'dropped' }, request.isCheckout);
      return;
    }
    this.outstanding += 1;
    const gate = this.pools[this.nextTarget]!;
    const pool = actor === 'bot' ? gate.bot : gate.shopper[request.priorityClass];
    this.nextTarget = (this.nextTarget + 1) % this.pools.length;
    const timeoutMs = this.options.profile.requestTimeoutMs;
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
    // Counted once: a body that fails after its status arrived is still one answer.
    let counted = false;
    const countAnswer = (status: number | undefined) => {
      if (counted) return;
      counted = true;
      this.options.onAnswer?.(status);
    };
    pool
      .request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      })
      .then(async (response) => {
        // A checkout's 409 is only a correct answer when it means sold out (not an expired reservation
        // or a reused key): its error name is read from the (small) body; every other body is dropped.
        countAnswer(response.statusCode);
        const checkoutError =
          request.isCheckout && response.statusCode === 409 ? await errorName(response.body) : undefined;
        if (checkoutError === undefined) await response.body.dump({ limit: 4 * 1024 * 1024, signal });
        const header = response.headers[OUTCOME_HEADER];
        const label = Array.isArray(header) ? header[0] : header;
        const outcome: ClientOutcome =
          label !== undefined && GATE_OUTCOMES.has(label) ? (label as GateOutcome) : 'unlabelled';
        this.options.recorder.record(
          { ...base, latencyMs: this.latencySince(intendedAtMs), status: response.statusCode, outcome, checkoutError },
          request.isCheckout,
        );
      })
      .catch((error: unknown) => {
        if (this.abort.signal.aborted) return; // stopped by Ctrl-C: not an observation
        countAnswer(undefined);
        const outcome: ClientOutcome = isTimeout(error) ? 'timeout' : 'error';
        this.options.recorder.record(
          { ...base, latencyMs: this.latencySince(intendedAtMs), outcome },
          request.isCheckout,
        );
      })
      .finally(() => {
        this.outstanding -= 1;
        if (this.outstanding === 0 && this.timer === undefined) this.finished?.();
      });
  }

  /** The requests meant for (fromMs, nowMs] leave at nowMs: every second of the span was that late. */
  private noteLag(fromMs: number, nowMs: number, lagMs: number): void {
    if (lagMs <= 0) return;
    for (let second = Math.floor(fromMs / 1000); second <= Math.floor(nowMs / 1000); second += 1) {
      this.lagBySecond[second] = Math.max(this.lagBySecond[second] ?? 0, Math.round(lagMs));
    }
  }

  private latencySince(intendedAtMs: number): number {
    return performance.now() - (this.startPerf + intendedAtMs);
  }

  private settle(): void {
    if (this.outstanding === 0) this.finished?.();
  }
}

function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    (error.name === 'AbortError' && String(error.message).includes('timeout'))
  );
}

/** The `error` field of a JSON error body, or '' when there is none. */
async function errorName(body: { text(): Promise<string> }): Promise<string> {
  try {
    const parsed = JSON.parse(await body.text()) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : '';
  } catch {
    return '';
  }
}
