/**
 * Runs a request through the steps in order until one answers it, then releases what it holds,
 * whatever happened. A step that returns its result synchronously costs no promise; only the
 * steps that wait (for Redis, the body, a queue, the app) are awaited.
 */
import { releaseRequest } from './release-request';
import type { RequestContext, Step } from './request-context';

export class Pipeline {
  constructor(readonly steps: readonly Step[]) {}

  async run(context: RequestContext): Promise<void> {
    const steps = this.steps;
    try {
      for (let i = 0; i < steps.length; i++) {
        let result = steps[i]!.run(context);
        if (typeof result !== 'string') result = await result;
        if (result === 'answered') return;
      }
    } finally {
      releaseRequest(context);
    }
  }
}
