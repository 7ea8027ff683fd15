/**
 * Refusals that need no route: an HTTP/1.1 request without Host, and a request on a connection
 * over the gate's connection cap (body-limits.ts).
 */
import { lacksRequiredHost } from '../../proxy/client-errors';
import type { ConnectionCap } from '../../proxy/body-limits';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';

/** Retry-After when the gate's body memory or connection count is full: such a moment passes quickly. */
export const BUSY_RETRY_AFTER_MS = 1_000;

export class ConnectionChecksStep implements Step {
  readonly name = 'connection-checks';

  constructor(
    private readonly answers: GateAnswers,
    private readonly connectionCap: ConnectionCap,
  ) {}

  run(context: RequestContext): StepResult {
    const { req, res } = context;
    if (lacksRequiredHost(req))
      return this.answers.refuseUnread(req, res, 400, 'bad-request', 'an HTTP/1.1 request needs a Host header');
    if (this.connectionCap.isOverCapacity(req.socket))
      return this.answers.refuseUnread(
        req,
        res,
        503,
        'shed',
        'too many open connections to this gate',
        BUSY_RETRY_AFTER_MS,
      );
    return 'next';
  }
}
