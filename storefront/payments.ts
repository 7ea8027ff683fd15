/**
 * The simulated payment provider: the shop's second dependency. It answers after `latencyMs` (plus
 * any injected latency) and fails when a fault says so; a call slower than `timeoutMs` is
 * abandoned, as a real client would abandon it. Charges and refunds suffer the same faults.
 */
import { InvalidOptionsError } from '../guard/errors';
import { delay, type FaultInjector } from './fault-injector';
import { PaymentFailedError, PaymentTimeoutError, RefundFailedError } from './storefront-errors';

export interface PaymentsOptions {
  /** Injected latency and failures for the `payments` target. */
  faults: FaultInjector;
  /** The provider's usual answer time. @default 0 */
  latencyMs?: number;
  /** Give up on a charge or refund after this long. @default 2000 */
  timeoutMs?: number;
}

export interface ChargeRequest {
  orderId: string;
  amountCents: number;
}

/** What checkout needs from a payment provider. */
export interface PaymentProvider {
  /** The deadline of every charge; the reservation reaper's TTL is derived from it. */
  readonly timeoutMs: number;
  /** Resolves when the charge went through; throws PaymentFailedError or PaymentTimeoutError. */
  charge(request: ChargeRequest): Promise<void>;
  /** Gives the order's charge back; throws RefundFailedError when the provider fails it or does not answer in time. */
  refund(orderId: string): Promise<void>;
}

type CallOutcome = 'ok' | 'failed' | 'timed-out';

export class Payments implements PaymentProvider {
  private readonly faults: FaultInjector;
  private readonly latencyMs: number;
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

  async charge(request: ChargeRequest): Promise<void> {
    const outcome = await this.call();
    if (outcome === 'timed-out') throw new PaymentTimeoutError(request.orderId, this.timeoutMs);
    if (outcome === 'failed') throw new PaymentFailedError(request.orderId);
  }

  async refund(orderId: string): Promise<void> {
    const outcome = await this.call();
    if (outcome !== 'ok') throw new RefundFailedError(orderId, outcome);
  }

  /** One request to the provider, with the injected latency and failure of the `payments` target. */
  private async call(): Promise<CallOutcome> {
    const fault = this.faults.decide('payments');
    const latencyMs = this.latencyMs + (fault?.latencyMs ?? 0);
    if (latencyMs >= this.timeoutMs) {
      // The provider would answer after our deadline: wait out the deadline, then give up.
      await delay(this.timeoutMs);
      return 'timed-out';
    }
    await delay(latencyMs);
    return fault?.fail ? 'failed' : 'ok';
  }
}
