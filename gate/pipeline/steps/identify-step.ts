/**
 * Who is asking (client-identity.ts): a proven user key or the client IP. Every later step, and
 * the app through the identity headers, sees this identity and no client-supplied one.
 */
import type { IdentityResolver } from '../../proxy/client-identity';
import type { RequestContext, Step, StepResult } from '../request-context';

export class IdentifyStep implements Step {
  readonly name = 'identify';

  constructor(private readonly identify: IdentityResolver) {}

  run(context: RequestContext): StepResult {
    const req = context.req;
    context.identity = this.identify(req.headers, req.socket.remoteAddress);
    return 'next';
  }
}
