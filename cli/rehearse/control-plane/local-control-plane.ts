/**
 * The control plane on this machine: the role of CloudWatch alarms + EventBridge + the flag
 * controller Lambda. Every second it re-evaluates the alarms over the gates' metrics; a state change
 * runs a controller cycle at once (EventBridge's alarm state change event), and a cycle also runs
 * on a scaled tick (EventBridge's one-minute schedule). The cycle is the real one
 * (runControllerCycle → decide → the flags store), so the gates obey exactly what they would on AWS.
 *
 * A cycle that fails (Redis down during the outage) is counted and retried on the next second; no
 * two cycles overlap.
 */
import { openBreakers, initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import type { FlagsStore } from '../../../guard/flags/flags-store';
import { nextFlagsVersion } from '../../../contracts/flags/flags-version';
import { controllerSettingsFromConfig, effectsOf, policyOf } from '../../../lambda/flag-controller/controller-settings';
import type { AlarmState } from '../../../lambda/flag-controller/decide';
import { runControllerCycle, type CycleTrigger } from '../../../lambda/flag-controller/run-cycle';
import type { SaledayConfig } from '../../../contracts/config/schema';
import type { AlarmEvaluator, EvaluatedAlarm } from './alarm-evaluator';
import type { FailedCycle } from './controller-failures';
import type { ControlSecond, FlagsChange } from '../report/rehearsal-report';

export interface LocalControlPlaneOptions {
  /** The time-scaled config (alarm periods and calm periods already divided). */
  config: SaledayConfig;
  evaluator: AlarmEvaluator;
  store: FlagsStore;
  /** When the rehearsal's traffic started (ms since the epoch): seconds of the timeline count from it. */
  startMs: number;
  /** Milliseconds between scheduled cycles (the scaled one-minute tick). */
  tickMs: number;
  /** @default Date.now */
  now?: () => number;
}

export class LocalControlPlane {
  private readonly effects;
  private readonly policy;
  private readonly now: () => number;
  private readonly perSecond: (ControlSecond | undefined)[] = [];
  private readonly changes: FlagsChange[] = [];
  private latest: EvaluatedAlarm[] = [];
  private document: FlagsDocument = initialFlags();
  private lastCycleAt = -Infinity;
  private pendingAlarmEvent: EvaluatedAlarm | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failedCycleCount = 0;
  private lastError: string | undefined;
  private readonly failureLog: FailedCycle[] = [];

  constructor(private readonly options: LocalControlPlaneOptions) {
    const settings = controllerSettingsFromConfig(options.config);
    this.effects = effectsOf(settings);
    this.policy = policyOf(settings);
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts from a clean slate: a level-0 document one version above whatever is stored (a previous
   * rehearsal against the same Redis may have left a raised level behind).
   */
  async reset(): Promise<void> {
    const stored = await this.options.store.read();
    const fresh: FlagsDocument = {
      ...initialFlags(new Date(this.now())),
      version: nextFlagsVersion(stored?.version ?? 0, this.now()),
      reason: 'rehearsal start: level 0, every breaker closed',
    };
    const result = await this.options.store.write(fresh);
    this.document = result.current;
  }

  start(): void {
    const loop = () => {
      this.timer = setTimeout(
        () => {
          void this.step().finally(loop);
        },
        1000 - (this.now() % 1000) + 5,
      );
      this.timer.unref();
    };
    loop();
  }

  /** One evaluation (and the cycle it calls for). Public so tests can drive it on a fake clock. */
  async step(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.evaluateAndDecide().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  current(): FlagsDocument {
    return this.document;
  }

  alarms(): EvaluatedAlarm[] {
    return this.latest;
  }

  timeline(): (ControlSecond | undefined)[] {
    return [...this.perSecond];
  }

  flagsChanges(): FlagsChange[] {
    return [...this.changes];
  }

  failedCycles(): { count: number; lastError: string | undefined } {
    return { count: this.failedCycleCount, lastError: this.lastError };
  }

  /** Every failed cycle: when (seconds from the start), what woke it, and its error. */
  failedCycleLog(): FailedCycle[] {
    return [...this.failureLog];
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async evaluateAndDecide(): Promise<void> {
    const nowMs = this.now();
    const { states, changed } = this.options.evaluator.evaluate(nowMs);
    this.latest = states;
    if (changed.length > 0) this.pendingAlarmEvent = changed[0];
    const tickDue = nowMs - this.lastCycleAt >= this.options.tickMs;
    if (this.pendingAlarmEvent || tickDue) {
      const trigger: CycleTrigger = this.pendingAlarmEvent
        ? { kind: 'alarm-event', alarmName: this.pendingAlarmEvent.name, state: this.pendingAlarmEvent.state }
        : { kind: 'schedule' };
      try {
        const result = await runControllerCycle(
          {
            readAlarms: async () => states.map(toAlarmState),
            store: this.options.store,
            lastKnown: this.document,
            effects: this.effects,
            policy: this.policy,
          },
          trigger,
          new Date(nowMs),
        );
        this.lastCycleAt = nowMs;
        this.pendingAlarmEvent = undefined;
        if (result.outcome === 'written' && result.changes.length > 0) {
          this.changes.push({
            second: this.secondOf(nowMs),
            version: result.document.version,
            level: result.document.level,
            openBreakers: openBreakers(result.document),
            reason: result.changes.join('; '),
          });
        }
        this.document = result.document;
      } catch (error) {
        this.failedCycleCount += 1;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.failureLog.push({ second: this.secondOf(nowMs), trigger: trigger.kind, error: this.lastError });
      }
    }
    const second = this.secondOf(nowMs);
    if (second >= 0) {
      this.perSecond[second] = {
        level: this.document.level,
        openBreakers: openBreakers(this.document),
        alarmsInAlarm: states.filter((s) => s.state === 'ALARM').map((s) => s.alarm.name),
      };
    }
  }

  private secondOf(nowMs: number): number {
    return Math.floor((nowMs - this.options.startMs) / 1000);
  }
}

function toAlarmState(alarm: EvaluatedAlarm): AlarmState {
  return { name: alarm.name, state: alarm.state, updatedAt: new Date(alarm.updatedAt) };
}
