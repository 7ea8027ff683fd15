/**
 * The checks that measure the shop's answers (checkout success, checkout p99, bots refused) judged
 * again without the seconds the rehearsal could not deliver as planned (delivery.ts). The others
 * (no oversell, recovery, levels) do not depend on the generator keeping time and stand as they are.
 */
import type { SaledayConfig } from '../../../contracts/config/schema';
import { judgeDelivery, type DeliveryTrouble } from './delivery';
import { emptySecond, type OutcomeRecorder, type SecondTally } from '../traffic/outcome-recorder';
import {
  botRefusalCheck,
  checkoutLatencyCheck,
  checkoutSuccessCheck,
  type Check,
  type OutageWindow,
} from './rehearsal-checks';

export interface DeliveryJudgementInputs {
  seconds: readonly SecondTally[];
  trouble: DeliveryTrouble;
  recorder: OutcomeRecorder;
  outage: OutageWindow | undefined;
  recoveryLimitSeconds: number;
  sla: SaledayConfig['sla'];
  minimumBotRefusal: number;
}

export function judgeChecksOnDelivery(checks: readonly Check[], inputs: DeliveryJudgementInputs): Check[] {
  const excluded = new Set(inputs.trouble.seconds);
  const clean = inputs.seconds.map((s, i) => (excluded.has(i) ? emptySecond() : s));
  const attempts = clean.reduce((sum, s) => sum + s.checkout.attempts, 0);
  const recheck: Record<string, () => Check | undefined> = {
    'checkout-success-rate': () =>
      attempts === 0
        ? undefined
        : checkoutSuccessCheck(clean, inputs.outage, inputs.recoveryLimitSeconds, 1 - inputs.sla.errorRate),
    'checkout-p99-within-sla': () => {
      const latency = inputs.recorder.checkoutLatencyWhere((second) => !excluded.has(second));
      return latency.count === 0 ? undefined : checkoutLatencyCheck(latency, inputs.sla.p99LatencyMs);
    },
    'bot-requests-refused': () => {
      const check = botRefusalCheck(clean, inputs.minimumBotRefusal);
      return check.pass || !check.value.startsWith('no bot') ? check : undefined;
    },
  };
  return checks.map((check) => {
    const again = recheck[check.name];
    return again ? judgeDelivery(check, again, inputs.trouble) : check;
  });
}
