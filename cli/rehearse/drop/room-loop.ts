/**
 * The room's controller on this machine: the role of the controller Lambda. Every tick it reads the
 * ticket counter from Redis and what the gates measured, runs the real decision (decideRoom, which
 * calls decideRate), and when the state changes writes it where the parts read it: each local
 * edge's KeyValueStore (for the CloudFront Function) and the room record in Redis (for the gates).
 * It keeps one line per second for the report.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import {
  WAITING_ROOM_STATE_KEY,
  waitingRoomSigningKeyName,
  type WaitingRoomState,
} from '../../../contracts/waiting-room';
import { admittedBelow, estimateRateOf } from '../../../contracts/waiting-room-schedule';
import { RedisRoomStore } from '../../../gate/waiting-room/redis-room-store';
import { ticketCounterKey } from '../../../gate/waiting-room/ticket-issuer';
import { decideRoom, type RoomControl, type RoomPolicy } from '../../../lambda/waiting-room-controller/decide-room';
import { closedRoomState } from '../../../lambda/waiting-room-controller/room-control';
import type { PublishedState, RoomSecond } from './drop-records';
import type { RoomMeasurement } from './room-measurement';

export interface RoomLoopOptions {
  redis: Redis;
  saleName: string;
  /** The KeyValueStores of the local edges. */
  stores: readonly Map<string, string>[];
  signingKey: { kid: string; secret: string };
  policy: RoomPolicy;
  pass: { seconds: number; maxSeconds: number };
  /** What the gates measured lately (undefined before they reported), given the room now. */
  measure: (room: {
    state: WaitingRoomState;
    issuedCount: number;
  }) => RoomMeasurement | undefined | Promise<RoomMeasurement | undefined>;
  startMs: number;
  tickMs: number;
  /** @default Date.now */
  now?: () => number;
  onError?: (error: unknown) => void;
}

export class RoomLoop {
  private state: WaitingRoomState;
  private control: RoomControl = { rate: { ratePerSecond: 0, lastIncreaseAtMs: 0, lastDecreaseAtMs: 0 } };
  private version = 0;
  private readonly store: RedisRoomStore;
  private readonly seconds: RoomSecond[] = [];
  private readonly published: PublishedState[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RoomLoopOptions) {
    this.store = new RedisRoomStore({ redis: options.redis, saleName: options.saleName });
    this.state = closedRoomState(
      { passMinutes: options.pass.seconds / 60, passMaxMinutes: options.pass.maxSeconds / 60, initialRatePerSecond: 0 },
      options.signingKey.kid,
    );
    this.now = options.now ?? Date.now;
  }

  /** Puts the signing key and the closed state everywhere, starting from whatever record is stored. */
  async prepare(): Promise<void> {
    for (const store of this.options.stores)
      store.set(waitingRoomSigningKeyName(this.options.signingKey.kid), this.options.signingKey.secret);
    this.version = (await this.store.read())?.version ?? 0;
    await this.publish();
  }

  start(): void {
    const loop = () => {
      this.timer = setTimeout(() => void this.step().finally(loop), this.options.tickMs);
      this.timer.unref();
    };
    loop();
  }

  async step(): Promise<void> {
    this.running ??= this.decide().finally(() => (this.running = undefined));
    return this.running;
  }

  current(): WaitingRoomState {
    return this.state;
  }

  timeline(): RoomSecond[] {
    return [...this.seconds];
  }

  /** Every state published, its times from the start of the run. */
  history(): PublishedState[] {
    return [...this.published];
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async decide(): Promise<void> {
    const nowMs = this.now();
    try {
      const issuedCount = Number((await this.options.redis.get(ticketCounterKey(this.options.saleName))) ?? 0);
      const measured = await this.options.measure({ state: this.state, issuedCount });
      const decision = decideRoom({
        current: this.state,
        control: this.control,
        policy: this.options.policy,
        degradationLevel: 0,
        measured,
        issuedCount,
        newSeed: () => randomBytes(16).toString('base64url'),
        nowMs,
      });
      this.control = decision.control;
      const changed = decision.state !== this.state;
      this.state = decision.state;
      if (changed) await this.publish();
      const second = Math.floor((nowMs - this.options.startMs) / 1000);
      if (second >= 0) {
        const previous = this.seconds[second];
        const change = [previous?.change, ...decision.changes].filter(Boolean).join('; ') || undefined;
        this.seconds[second] = {
          second,
          open: this.state.open,
          issued: issuedCount,
          admittedBelow: this.state.open ? Math.min(issuedCount, admittedBelow(this.state, nowMs)) : issuedCount,
          ratePerSecond: this.state.ratePerSecond,
          estimateRatePerSecond: estimateRateOf(this.state),
          measured: measured && {
            servedPerSecond: measured.admittedRequestsPerSecond,
            utilization: measured.inFlight / measured.concurrencyLimit,
            activeShoppers: measured.activeShoppers,
            shedShare: measured.shedShare,
            ...(measured.gates ? { gates: measured.gates } : {}),
          },
          change,
        };
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async publish(): Promise<void> {
    const text = JSON.stringify(this.state);
    const s = this.state;
    this.published.push({
      atMs: this.now() - this.options.startMs,
      open: s.open,
      t0Ms: s.t0Ms - this.options.startMs,
      ticket0: s.ticket0,
      ratePerSecond: s.ratePerSecond,
    });
    for (const store of this.options.stores) store.set(WAITING_ROOM_STATE_KEY, text);
    const outcome = await this.store.write(
      { updatedAtMs: this.now(), state: this.state, control: this.control },
      this.version,
    );
    if (!outcome.written)
      throw new Error(`the room record moved to version ${outcome.storedVersion} behind the rehearsal's back`);
    this.version = outcome.version;
  }
}
