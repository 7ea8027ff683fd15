/**
 * The drop's crowd: visitors arriving on the plan's schedule (half of them impatient), and bots
 * farming tickets from a few addresses with a fresh identity for every try. Each gets its own
 * record; the crowd knows how many shoppers are active (as the load balancer would count sessions).
 */
import { Agent } from 'undici';
import type { DropPlan } from './drop-plan';
import type { VisitorRecord } from './drop-records';
import { VisitorClient } from './visitor-client';
import { shop, waitInLine, type JourneyContext } from './visitor-journey';

export interface CrowdOptions {
  plan: DropPlan;
  edgeUrls: readonly string[];
  productIds: readonly string[];
  /** The identity cookie (`name=value`) of a user key, signed as the config asks. */
  identityCookie: (userKey: string) => string;
  random: () => number;
  /** Milliseconds since the start of the run. */
  now: () => number;
  requestTimeoutMs: number;
  /** Where the line stands now (the room's admittedBelow). */
  lineAt: () => number;
}

/** How many products an admitted shopper looks at (the rest of a visit is the page, the catalog, the cart and the checkout). */
export const browseCount = (plan: DropPlan) => Math.max(1, plan.requestsPerVisit - 4);

export class DropCrowd {
  readonly records: VisitorRecord[] = [];
  private shopping = 0;
  private isStopped = false;
  private readonly journeys: Promise<void>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  /** Visitors scheduled whose journey has not ended. */
  private openVisitors = 0;
  private readonly waitDispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  private readonly shopDispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  private readonly ctx: JourneyContext;

  constructor(private readonly options: CrowdOptions) {
    this.ctx = {
      now: options.now,
      sleep: (ms) => this.sleep(ms),
      stopped: () => this.isStopped,
      productIds: options.productIds,
      random: options.random,
      thinkMs: options.plan.thinkMs,
      lineAt: options.lineAt,
      shopDispatcher: this.shopDispatcher,
    };
  }

  /** Schedules every arrival and the bots' tries, relative to the start of the run. */
  start(): void {
    const { plan, random } = this.options;
    plan.arrivalsMs.forEach((atMs, id) => {
      const impatient = random() < plan.abandonShare;
      const patienceMs = plan.patienceMs.min + random() * (plan.patienceMs.max - plan.patienceMs.min);
      this.openVisitors += 1;
      this.at(atMs, () => this.visit(id, atMs, impatient ? atMs + patienceMs : undefined));
    });
    const everyMs = 1000 / plan.bots.joinsPerSecondPerAddress;
    let tries = 0;
    for (let atMs = plan.bots.fromMs; atMs < plan.bots.untilMs; atMs += everyMs) {
      for (let address = 0; address < plan.bots.addresses; address += 1) {
        const id = tries++;
        this.at(atMs, () => this.bot(id, address, atMs));
      }
    }
  }

  /** Shoppers admitted and still shopping. */
  activeShoppers(): number {
    return this.shopping;
  }

  /** True when every visitor has arrived and left (shopped, gave up, or could not get in). */
  settled(): boolean {
    return this.openVisitors === 0;
  }

  /** Stops every journey where it is and waits for them. */
  async stop(): Promise<void> {
    this.isStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    await Promise.all(this.journeys);
    await Promise.all([this.waitDispatcher.close(), this.shopDispatcher.close()]);
  }

  private visit(id: number, atMs: number, abandonAtMs: number | undefined): void {
    const { plan } = this.options;
    const record: VisitorRecord = {
      id,
      kind: 'visitor',
      arrivedAtMs: this.options.now(),
      preQueue: atMs < plan.preQueueMs,
      shop: [],
      problems: [],
    };
    this.records.push(record);
    const client = this.client(`visitor-${id}`, `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`);
    this.journeys.push(
      (async () => {
        try {
          if (!(await waitInLine(client, record, this.ctx, { path: '/', abandonAtMs }))) return;
          this.shopping += 1;
          await shop(client, record, this.ctx, browseCount(plan)).finally(() => (this.shopping -= 1));
        } finally {
          this.openVisitors -= 1;
        }
      })(),
    );
  }

  private bot(id: number, address: number, atMs: number): void {
    const record: VisitorRecord = {
      id,
      kind: 'bot',
      arrivedAtMs: atMs,
      preQueue: atMs < this.options.plan.preQueueMs,
      shop: [],
      problems: [],
    };
    this.records.push(record);
    const client = this.client(`bot-${address}-${id}`, `198.51.100.${address + 1}`);
    // A refused join ends the try: the next try comes with a new identity anyway.
    this.journeys.push(
      waitInLine(client, record, this.ctx, { path: '/', giveUpAfterFailures: 1 }).then(() => undefined),
    );
  }

  private client(userKey: string, address: string): VisitorClient {
    const edgeUrls = this.options.edgeUrls;
    const edgeUrl = edgeUrls[Math.floor(this.options.random() * edgeUrls.length)]!;
    return new VisitorClient({
      edgeUrl,
      dispatcher: this.waitDispatcher,
      address,
      identityCookie: this.options.identityCookie(userKey),
      timeoutMs: this.options.requestTimeoutMs,
    });
  }

  private at(atMs: number, run: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.isStopped) run();
      },
      Math.max(0, atMs - this.options.now()),
    );
    this.timers.add(timer);
  }

  /** A pause that the end of the run cuts short. */
  private sleep(ms: number): Promise<void> {
    if (this.isStopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
