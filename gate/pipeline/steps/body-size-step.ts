/** An oversized declared body is refused before it costs anything else (body-limits.ts). */
import type { GateConfig } from '../../../contracts/config/gate-config-slice';
import { maxBodyBytesFor } from '../../proxy/body-limits';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';

export class BodySizeStep implements Step {
  readonly name = 'body-size';

  constructor(
    private readonly gate: GateConfig['gate'],
    private readonly answers: GateAnswers,
  ) {}

  run(context: RequestContext): StepResult {
    const maxBodyBytes = maxBodyBytesFor(context.route, this.gate);
    context.maxBodyBytes = maxBodyBytes;
    const declaredLength = Number(context.req.headers['content-length']);
    if (declaredLength > maxBodyBytes) return this.answers.refuseTooLarge(context.req, context.res, maxBodyBytes);
    return 'next';
  }
}
