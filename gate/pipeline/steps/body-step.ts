/**
 * The request body, bounded, read before a concurrency slot is taken: a slow body must not hold a
 * slot. Its bytes are drawn from the gate's body budget (body-limits.ts). A request without a
 * body, or one already sent speculatively, costs no promise here.
 */
import { BUSY_RETRY_AFTER_MS } from './connection-checks-step';
import { isBodyBudgetExhaustedError, type BodyBudget } from '../../proxy/body-limits';
import { hasBody, isBodyTooLargeError, readBody } from '../../proxy/request-body';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';

export class BodyStep implements Step {
  readonly name = 'body';

  constructor(
    private readonly budget: BodyBudget,
    private readonly answers: GateAnswers,
  ) {}

  run(context: RequestContext): StepResult | Promise<StepResult> {
    if (context.call !== undefined || !hasBody(context.req)) return 'next';
    return this.read(context);
  }

  private async read(context: RequestContext): Promise<StepResult> {
    const { req, res, maxBodyBytes } = context;
    const reservation = this.budget.reservation();
    context.reservation = reservation;
    try {
      context.body = await readBody(req, maxBodyBytes, reservation, this.budget.maxBytes);
      return 'next';
    } catch (error) {
      if (isBodyTooLargeError(error)) return this.answers.refuseTooLarge(req, res, maxBodyBytes);
      if (isBodyBudgetExhaustedError(error))
        return this.answers.refuseUnread(
          req,
          res,
          503,
          'shed',
          'the gate holds too many request bodies right now',
          BUSY_RETRY_AFTER_MS,
          context.limitHeaders,
        );
      return this.answers.refuse(res, 400, 'bad-request', 'unreadable request body', undefined);
    }
  }
}
