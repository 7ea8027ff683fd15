/**
 * Admission control: an adaptive concurrency limit (Gradient2, fed once per sample
 * window by windowed-limit.ts with each released permit's latency, in-flight count at admission and
 * drop flag) partitioned by priority class (see priority-partition.ts), one bounded queue per
 * class, and CoDel-style queue management.
 *
 * The reserve is lent to high, as Netflix's partitioned limiter lends a partition's unused share:
 * high (product pages, the cart: the way to checkout) may also fill the reserved slots critical
 * neither holds nor waits for, so a browsing rush before checkout opens is not held to 80% of what
 * the app can take. Normal and low, the classes shed first, never borrow: a flood of them stays
 * within its ceiling. Critical still gets its reserve at once: while it holds fewer than `reserved`
 * slots it is admitted even when high has taken the total to the limit. The total may then exceed
 * the limit, by at most the slots that were lent, until the borrowers finish; no class but critical
 * is admitted meanwhile.
 *
 * Queues. A request that cannot be admitted waits in its class's queue (refused 'queue-full' when
 * the queue holds maxLengthPerClass). When a slot frees, queues are served in strict priority
 * (critical first), each as far as its ceiling allows.
 *
 * Standing queues (CoDel, as in Facebook's "Fail at Scale" adaptive LIFO): a class's queue becomes
 * *standing* when, for a whole `intervalMs`, it was never empty and no request left it within
 * `targetDelayMs` — i.e. the minimum sojourn over the interval exceeded the target, so the queue is
 * not absorbing a burst, it is a backlog. While standing:
 *   - a waiter is refused 'queue-timeout' once it has waited `targetDelayMs` (instead of maxWaitMs),
 *     so the backlog is turned into fast refusals rather than latency for everyone;
 *   - the queue is served LIFO: the newest request (whose client is most likely still there)
 *     goes first, and the oldest ones time out.
 * A queue stops standing only when it empties (hysteresis: under LIFO the sojourn of the served
 * requests is short by construction, so it cannot be the exit signal). Otherwise it is FIFO and
 * waiters are refused after `maxWaitMs`.
 *
 * The critical queue is exempt from CoDel by default (`codelExemptClasses`): it is served first,
 * owns a reserved share, and carries little traffic, so it stands only while the limit itself is
 * being cut (a shrinking limit, the baseline probe) — exactly when refusing a checkout after 5 ms
 * would throw away the request the sale exists for. It stays FIFO, bounded by maxLengthPerClass
 * and maxWaitMs.
 *
 * No head-of-line blocking: a slot is held only by the request using it; queued requests never wait
 * behind one particular request, only for *any* slot, and never longer than their timeout.
 *
 * One timer per controller (the earliest queue deadline or standing onset), unref'd.
 */
import type { Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import type { Admission, AdmissionController, AdmissionSnapshot, Permit, Refusal, RefusalReason } from './admission';
import { resolveAdmissionOptions, type AdmissionControllerOptions } from './admission-options';
import { ClassQueue, type Waiter } from './class-queue';
import { Gradient2Limit } from './gradient2-limit';
import { PRIORITY_CLASSES, type PriorityClass } from './priority';
import { partitionLimit, type ClassShares, type PartitionCeilings } from './priority-partition';
import type { Scheduler } from './scheduler';
import { WindowedLimit } from './windowed-limit';

export type { AdmissionControllerOptions } from './admission-options';

export interface AdmissionControllerSnapshot extends AdmissionSnapshot {
  /** Slots kept for critical: admitted at once while it holds fewer than these. */
  reserved: number;
  /** Reserved slots open to high right now: the ones critical neither holds nor waits for. */
  lent: number;
  /** Highest total in flight at which each class is still admitted (high: plus `lent`). */
  ceilingByClass: Record<PriorityClass, number>;
  standingByClass: Record<PriorityClass, boolean>;
  /** Classes refused 'degraded' (see setShedClasses). */
  shedClasses: PriorityClass[];
}

/** The admission controller with its partition, CoDel and degradation state in view. */
export interface PriorityAdmissionController extends AdmissionController {
  snapshot(): AdmissionControllerSnapshot;
  /** Classes to shed (e.g. under a degradation level): refused 'degraded' at once, and their queued requests too. */
  setShedClasses(classes: readonly PriorityClass[]): void;
}

const MAX_RETRY_HINT_MS = 30_000;

export function createAdmissionController(options: AdmissionControllerOptions = {}): PriorityAdmissionController {
  return new DefaultAdmissionController(options);
}

class DefaultAdmissionController implements PriorityAdmissionController {
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly adaptiveLimit: WindowedLimit;
  private readonly criticalReservedShare: number;
  private readonly classShares: Readonly<ClassShares>;
  private readonly maxLengthPerClass: number;
  private readonly intervalMs: number;
  private readonly degradedRetryAfterMs: number;
  private partition: PartitionCeilings;
  private inFlight = 0;
  private readonly inFlightByClass: Record<PriorityClass, number> = { critical: 0, high: 0, normal: 0, low: 0 };
  private readonly queues: Record<PriorityClass, ClassQueue>;
  private shed = new Set<PriorityClass>();
  private closed = false;
  private cancelTimer: (() => void) | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;

  constructor(options: AdmissionControllerOptions) {
    const resolved = resolveAdmissionOptions(options);
    const timing = {
      targetDelayMs: resolved.targetDelayMs,
      intervalMs: resolved.intervalMs,
      maxWaitMs: resolved.maxWaitMs,
    };
    this.clock = resolved.clock;
    this.scheduler = resolved.scheduler;
    this.queues = Object.fromEntries(
      PRIORITY_CLASSES.map((cls) => [cls, new ClassQueue(!resolved.codelExemptClasses.includes(cls), timing)]),
    ) as Record<PriorityClass, ClassQueue>;
    this.adaptiveLimit = new WindowedLimit(new Gradient2Limit(resolved.gradient), resolved.sampling);
    this.criticalReservedShare = resolved.criticalReservedShare;
    this.classShares = resolved.classShares;
    this.maxLengthPerClass = resolved.maxLengthPerClass;
    this.intervalMs = resolved.intervalMs;
    this.degradedRetryAfterMs = resolved.degradedRetryAfterMs;
    this.partition = partitionLimit(this.adaptiveLimit.limit, this.criticalReservedShare, this.classShares);
  }

  acquire(priority: PriorityClass, signal?: AbortSignal): Promise<Admission> {
    const queue = this.queues[priority];
    if (!queue)
      return Promise.reject(new InvalidOptionsError('priority', priority, `one of ${PRIORITY_CLASSES.join(', ')}`));
    if (this.closed) return Promise.resolve(this.refusal('closed'));
    if (this.shed.has(priority)) return Promise.resolve(this.refusal('degraded'));
    if (signal?.aborted) return Promise.resolve(this.refusal('aborted'));
    const now = this.clock.now();
    if (this.hasFreeSlot(queue, priority)) {
      return Promise.resolve({ admitted: true, permit: this.admit(priority, now, now) });
    }
    if (queue.waiters.length >= this.maxLengthPerClass) return Promise.resolve(this.refusal('queue-full'));
    return new Promise<Admission>((resolve) => {
      const onAbort = () => {
        if (this.remove(waiter)) waiter.resolve(this.refusal('aborted'));
      };
      const waiter: Waiter = {
        priority,
        enqueuedAt: now,
        resolve,
        detachAbort: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.reschedule(now);
    });
  }

  tryAcquire(priority: PriorityClass): Permit | undefined {
    const queue = this.queues[priority];
    if (queue === undefined || this.closed || this.shed.has(priority) || !this.hasFreeSlot(queue, priority))
      return undefined;
    const now = this.clock.now();
    return this.admit(priority, now, now);
  }

  setShedClasses(classes: readonly PriorityClass[]): void {
    this.shed = new Set(classes);
    for (const cls of this.shed) {
      const queue = this.queues[cls];
      for (const waiter of queue.waiters.splice(0)) this.settleRefused(waiter, 'degraded');
    }
    this.reschedule(this.clock.now());
  }

  snapshot(): AdmissionControllerSnapshot {
    const now = this.clock.now();
    const queuedByClass = {} as Record<PriorityClass, number>;
    const standingByClass = {} as Record<PriorityClass, boolean>;
    for (const cls of PRIORITY_CLASSES) {
      this.queues[cls].updateStanding(now);
      queuedByClass[cls] = this.queues[cls].waiters.length;
      standingByClass[cls] = this.queues[cls].standing;
    }
    return {
      limit: this.partition.limit,
      inFlight: this.inFlight,
      inFlightByClass: { ...this.inFlightByClass },
      queuedByClass,
      reserved: this.partition.reserved,
      lent: this.lentSlots(),
      ceilingByClass: { ...this.partition.ceilingByClass },
      standingByClass,
      shedClasses: PRIORITY_CLASSES.filter((c) => this.shed.has(c)),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    for (const cls of PRIORITY_CLASSES) {
      for (const waiter of this.queues[cls].waiters.splice(0)) this.settleRefused(waiter, 'closed');
    }
  }

  private admit(priority: PriorityClass, enqueuedAt: number, now: number): Permit {
    this.inFlight += 1;
    this.inFlightByClass[priority] += 1;
    const inFlightAtStart = this.inFlight;
    let released = false;
    return {
      queuedMs: now - enqueuedAt,
      release: ({ latencyMs, dropped }) => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.inFlightByClass[priority] -= 1;
        if (this.closed) return;
        const before = this.partition.limit;
        const after = this.adaptiveLimit.onSample({ startedAt: now, latencyMs, inFlight: inFlightAtStart, dropped });
        if (after !== before) this.partition = partitionLimit(after, this.criticalReservedShare, this.classShares);
        // Nobody waiting: nothing to hand the slot to, expire or reschedule (the usual case, once per request).
        if (this.hasWaiters()) this.drain(this.clock.now());
      },
    };
  }

  /** A slot of this class is free and nobody of the class waits for one (no overtaking the queue). */
  private hasFreeSlot(queue: ClassQueue, priority: PriorityClass): boolean {
    return queue.waiters.length === 0 && this.admissible(priority);
  }

  /**
   * Whether a request of this class may take a slot now. Critical may while the total is under the
   * limit, and always while it holds fewer than its reserved slots (even when lent slots have taken
   * the total to the limit). High may while the total is under its ceiling plus the reserved slots
   * that critical neither holds nor waits for (see lentSlots); normal and low while it is under theirs.
   */
  private admissible(priority: PriorityClass): boolean {
    const ceiling = this.partition.ceilingByClass[priority];
    if (priority === 'critical')
      return this.inFlight < ceiling || this.inFlightByClass.critical < this.partition.reserved;
    if (priority === 'high') return this.inFlight < ceiling + this.lentSlots();
    return this.inFlight < ceiling;
  }

  /** Reserved slots open to high: the ones critical neither holds nor waits for. */
  private lentSlots(): number {
    const idle = this.partition.reserved - this.inFlightByClass.critical - this.queues.critical.waiters.length;
    return idle > 0 ? idle : 0;
  }

  private hasWaiters(): boolean {
    const queues = this.queues;
    return (
      queues.critical.waiters.length +
        queues.high.waiters.length +
        queues.normal.waiters.length +
        queues.low.waiters.length !==
      0
    );
  }

  /** Fills free slots from the queues, strictly by priority; expired waiters are refused first. */
  private drain(now: number): void {
    this.expire(now);
    for (const cls of PRIORITY_CLASSES) {
      const queue = this.queues[cls];
      while (queue.waiters.length > 0 && this.admissible(cls)) {
        const waiter = queue.take(now);
        waiter.detachAbort();
        waiter.resolve({ admitted: true, permit: this.admit(cls, waiter.enqueuedAt, now) });
      }
    }
    this.reschedule(now);
  }

  /** Refuses waiters past their deadline; waiters are in arrival order, so the expired ones are a prefix. */
  private expire(now: number): void {
    for (const cls of PRIORITY_CLASSES) {
      const queue = this.queues[cls];
      queue.updateStanding(now);
      for (let waiter = queue.takeExpired(now); waiter !== undefined; waiter = queue.takeExpired(now))
        this.settleRefused(waiter, 'queue-timeout');
      queue.updateStanding(now);
    }
  }

  /** Keeps one timer at the earliest moment something changes by itself: a deadline or a standing onset. */
  private reschedule(now: number): void {
    if (this.closed) return;
    let due = Number.POSITIVE_INFINITY;
    for (const cls of PRIORITY_CLASSES) due = Math.min(due, this.queues[cls].dueAt());
    // A timer already armed for no later than `due` stays: firing early only drains and re-arms,
    // while re-arming whenever the head waiter changes would cost a timer per request under a queue.
    if (due >= this.timerDueAt) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerDueAt = due;
    if (due === Number.POSITIVE_INFINITY) return;
    this.cancelTimer = this.scheduler.schedule(
      () => {
        this.cancelTimer = undefined;
        this.timerDueAt = Number.POSITIVE_INFINITY;
        this.drain(this.clock.now());
      },
      Math.max(0, due - now),
    );
  }

  private remove(waiter: Waiter): boolean {
    const now = this.clock.now();
    if (!this.queues[waiter.priority].remove(waiter, now)) return false;
    this.reschedule(now);
    return true;
  }

  private settleRefused(waiter: Waiter, reason: RefusalReason): void {
    waiter.detachAbort();
    waiter.resolve(this.refusal(reason));
  }

  private refusal(reason: RefusalReason): Admission {
    return { admitted: false, refusal: { reason, retryAfterMs: this.retryHintMs(reason) } };
  }

  /**
   * A Retry-After hint: roughly how long the current backlog (in flight + queued) takes to clear at
   * the current limit and the long-term latency, at least one CoDel interval.
   */
  private retryHintMs(reason: RefusalReason): Refusal['retryAfterMs'] {
    if (reason === 'degraded') return this.degradedRetryAfterMs;
    if (reason === 'aborted') return 0;
    let queued = 0;
    for (const cls of PRIORITY_CLASSES) queued += this.queues[cls].waiters.length;
    const backlogMs = (this.adaptiveLimit.longRttMs * (this.inFlight + queued)) / Math.max(1, this.partition.limit);
    return Math.ceil(Math.min(MAX_RETRY_HINT_MS, Math.max(this.intervalMs, backlogMs)));
  }
}
