/**
 * The on-call address hears the alarms: its e-mail subscription to the sale's alarm topic exists and
 * is confirmed. AWS sends a confirmation e-mail when the stack subscribes the address; until someone
 * clicks it the subscription stays `PendingConfirmation` and every alarm e-mail is silently dropped.
 */
import { ListSubscriptionsByTopicCommand, type Subscription } from '@aws-sdk/client-sns';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const ALARM_SUBSCRIPTION_CHECK = 'Alarm e-mail subscription confirmed';

/** What SNS reports as the ARN of a subscription nobody has confirmed yet. */
export const PENDING_CONFIRMATION = 'PendingConfirmation';

export async function checkAlarmSubscription(ctx: PreflightContext): Promise<CheckResult> {
  const topicArn = ctx.sale.get(SALE_STACK_OUTPUTS.alarmTopicArn);
  const email = ctx.config.notifications.email;
  const subscriptions = await listAllSubscriptions(ctx, topicArn);
  const mine = subscriptions.filter((s) => s.Protocol === 'email' && s.Endpoint?.toLowerCase() === email.toLowerCase());
  if (mine.length === 0) {
    return failed(
      ALARM_SUBSCRIPTION_CHECK,
      `${email} is not subscribed to the alarm topic ${topicArn}: nobody will hear the alarms; deploy the sale stack again to subscribe it`,
    );
  }
  if (mine.every((s) => s.SubscriptionArn === PENDING_CONFIRMATION)) {
    return failed(
      ALARM_SUBSCRIPTION_CHECK,
      `the alarm e-mail to ${email} is not confirmed, so nobody hears the alarms: open the "AWS Notification - Subscription Confirmation" e-mail sent to that address and click "Confirm subscription" (the SNS console can send it again)`,
    );
  }
  return passed(ALARM_SUBSCRIPTION_CHECK, `${email} confirmed`);
}

async function listAllSubscriptions(ctx: PreflightContext, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }),
    );
    all.push(...(page.Subscriptions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return all;
}
