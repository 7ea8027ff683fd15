/** The route of the request (route-table.ts): its priority class, dependencies and rate limit. */
import type { GateMetricsRecorder } from '../../proxy/gate-metrics-recorder';
import type { RouteTable } from '../../proxy/route-table';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';
import type { RouteLimiter } from '../route-limiter';

export class ClassifyStep implements Step {
  readonly name = 'classify';

  constructor(
    private readonly routes: RouteTable,
    private readonly limiters: ReadonlyMap<string, RouteLimiter>,
    private readonly answers: GateAnswers,
    private readonly metrics: GateMetricsRecorder,
  ) {}

  run(context: RequestContext): StepResult {
    const matched = this.routes.match(context.req.method ?? 'GET', context.target.path);
    if (!matched)
      return this.answers.refuse(context.res, 404, 'bad-request', 'no route for this method and path', undefined);
    const route = matched.route;
    context.route = route;
    context.priority = route.priority;
    context.limiter = this.limiters.get(route.name);
    this.metrics.count(route.priority, 'requests');
    return 'next';
  }
}
