/**
 * The simulated payment provider: the shop's second dependency. It answers after `latencyMs` (plus
 * any injected latency) and fails when a fault says so; a charge slower than `timeoutMs` is
 * abandoned, as a real client would abandon it.
 */
import { InvalidOptionsError } from '../gate/errors';
import { delay, type FaultInjector } from './fault-injector';
import { PaymentFailedError, PaymentTimeoutError } from './storefront-errors';

export interface PaymentsOptions {
  /** Injected latency and failures for the `payments` target. */
  faults: FaultInjector;
  /** The provider's usual answer time. @default 0 */
  latencyMs?: number;
  /** Give up on a charge after this long. @default 2000 */
  timeoutMs?: number;
}

export interface ChargeRequest {
  orderId: string;
  amountCents: number;
}

export class Payments {
  private readonly faults: FaultInjector;
  private readonly latencyMs: number;
  /** The deadline of every charge; the reservation reaper's TTL is derived from it. */
  readonly timeoutMs: number;

  constructor(options: PaymentsOptions) {
    this.faults = options.faults;
    this.latencyMs = options.latencyMs ?? 0;
    this.timeoutMs = options.timeoutMs ?? 2000;
    if (!Number.isFinite(this.latencyMs) || this.latencyMs < 0) {
      throw new InvalidOptionsError('paymentLatencyMs', options.latencyMs, 'a non-negative number of milliseconds');
    }
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new InvalidOptionsError('paymentTimeoutMs', options.timeoutMs, 'a positive number of milliseconds');
    }
  }

  /** Resolves when the charge went through; throws PaymentFailedError or PaymentTimeoutError. */
  async charge(request: ChargeRequest): Promise<void> {
    const fault = this.faults.decide('payments');
    const latencyMs = this.latencyMs + (fault?.latencyMs ?? 0);
    if (latencyMs >= this.timeoutMs) {
      // The provider would answer after our deadline: wait out the deadline, then give up.
      await delay(this.timeoutMs);
      throw new PaymentTimeoutError(request.orderId, this.timeoutMs);
    }
    await delay(latencyMs);
    if (fault?.fail) throw new PaymentFailedError(request.orderId);
  }
}
