/**
 * One request on its way through the gate's pipeline: what the steps learned about it and what it
 * holds (a concurrency permit, a per-key lease, body memory) until `releaseRequest` gives it back.
 * A class with every field set in the constructor, so each request has the same shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PriorityClass, RouteConfig } from '../../contracts/config/schema';
import type { ConcurrencyLease } from '../../guard/rate-limit/rate-limiter';
import type { Permit } from '../../guard/shed';
import type { BodyReservation } from '../proxy/body-limits';
import type { ClientIdentity } from '../proxy/client-identity';
import type { RequestTarget } from '../proxy/request-target';
import type { RouteLimiter } from './route-limiter';
import type { UpstreamCall } from './upstream-call';

/** What a step did: passed the request on, or finished it (answered, or the client left). */
export type StepResult = 'next' | 'answered';

/** One named step of the request path. Synchronous steps return their result, not a promise. */
export interface Step {
  readonly name: string;
  run(context: RequestContext): StepResult | Promise<StepResult>;
}

export class RequestContext {
  /** Set by the gate-paths step; every later step may rely on it. */
  target: RequestTarget = undefined as unknown as RequestTarget;
  /** Set by the identify step. */
  identity: ClientIdentity = undefined as unknown as ClientIdentity;
  /** Set by the classify step. */
  route: RouteConfig = undefined as unknown as RouteConfig;
  priority: PriorityClass = 'critical';
  /** The route's rate limit, if it has one (classify step). */
  limiter: RouteLimiter | undefined = undefined;
  /** The route's body limit in bytes (body-size step). */
  maxBodyBytes = 0;
  /** RateLimit header fields for the answer, when the policy states its quota. */
  limitHeaders: Record<string, string> | undefined = undefined;
  /** The request body, read before admission (body step). */
  body: Buffer | undefined = undefined;

  // What the request holds; released once, by releaseRequest.
  lease: ConcurrencyLease | undefined = undefined;
  permit: Permit | undefined = undefined;
  reservation: BodyReservation | undefined = undefined;
  /** The request's call to the app once sent (by the proxy step, or speculatively by the rate-limit step). */
  call: UpstreamCall | undefined = undefined;
  /** What the permit is released with: the latency of the work done under it, and whether it signals overload. */
  latencyMs = 0;
  dropped = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {}
}
