/**
 * Sends the request to the app with the route's deadline, once every dependency's breaker has
 * handed out a ticket (a half-open breaker lets only its probes through).
 */
import type { Permit } from '../../../guard/shed';
import type { DependencyTickets } from '../dependency-tickets';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';
import type { UpstreamCaller } from '../upstream-call';

export class ProxyStep implements Step {
  readonly name = 'proxy';

  constructor(
    private readonly dependencies: DependencyTickets,
    private readonly caller: UpstreamCaller,
    private readonly answers: GateAnswers,
  ) {}

  run(context: RequestContext): StepResult {
    if (context.call !== undefined) return 'next';
    const route = context.route;
    const tickets = this.dependencies.take(route);
    if (!Array.isArray(tickets))
      return this.answers.shortCircuit(context.res, route, tickets.name, tickets.retryAfterMs());
    context.call = this.caller.call(context, context.body, context.permit as Permit, tickets);
    return 'next';
  }
}
