/**
 * Sending a request to the app, and dropping the answer of a call whose request was refused
 * meanwhile (a speculative read, speculative-reads.ts).
 */
import type { Clock } from '../../guard/clock';
import type { BreakerTicket } from '../../guard/breaker';
import type { Permit } from '../../guard/shed';
import { takeBlamedDependency } from '../proxy/dependency-blame';
import type { IdentityHeaderWriter } from '../proxy/identity-headers';
import { isUpstreamFailure, type UpstreamClient, type UpstreamResponse } from '../proxy/upstream-client';
import { setDeadlineHeader } from '../proxy/upstream-deadline';
import type { DependencyTickets } from './dependency-tickets';
import type { RequestContext } from './request-context';

/** A request on its way to the app: what it holds until its answer is in. */
export interface UpstreamCall {
  permit: Permit;
  tickets: BreakerTicket[];
  /** On the monotonic clock: latencies are intervals. */
  startedAt: number;
  response: Promise<UpstreamResponse>;
}

const ignore = (): undefined => undefined;

/** `clock` times the call; `wallClock` sets the deadline the app compares with its own wall time. */
export interface UpstreamCallClocks {
  clock: Clock;
  wallClock: Clock;
}

export class UpstreamCaller {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly writeIdentityHeaders: IdentityHeaderWriter,
    private readonly dependencies: DependencyTickets,
    private readonly clocks: UpstreamCallClocks,
  ) {}

  /** Sends the request to the app under `permit`; the call owns the permit and the tickets from here. */
  call(context: RequestContext, body: Buffer | undefined, permit: Permit, tickets: BreakerTicket[]): UpstreamCall {
    const { req, res, route, identity } = context;
    const deadlineMs = this.clocks.wallClock.now() + route.timeoutMs;
    const writeIdentityHeaders = this.writeIdentityHeaders;
    const prepareHeaders = (headers: Record<string, string | string[]>) => {
      writeIdentityHeaders(headers, identity);
      setDeadlineHeader(headers, deadlineMs);
    };
    const response = this.upstream.request({
      req,
      path: context.target.forwardPath,
      body,
      timeoutMs: route.timeoutMs,
      res,
      prepareHeaders,
    });
    // Awaited later (or never, for a speculative read that was refused): no unhandled rejection meanwhile.
    response.catch(ignore);
    return { permit, tickets, startedAt: this.clocks.clock.now(), response };
  }

  /**
   * A call whose request was refused: its answer is read and dropped (keeping the connection to the
   * app reusable), and it still counts for the limiter and the breakers, since the app did the work.
   * The call outlives its request, so it releases its own permit.
   */
  discard(call: UpstreamCall, context: RequestContext): void {
    const route = context.route;
    call.response.then(
      (response) => {
        const status = response.statusCode;
        const blamed = takeBlamedDependency(route, status, response.headers);
        response.discard();
        const latencyMs = this.clocks.clock.now() - call.startedAt;
        call.permit.release({ latencyMs, dropped: status === 503 });
        this.dependencies.record(route, call.tickets, status >= 500, latencyMs, blamed);
      },
      (error: unknown) => {
        const latencyMs = this.clocks.clock.now() - call.startedAt;
        const kind = isUpstreamFailure(error) ? error.kind : 'unreachable';
        call.permit.release({ latencyMs, dropped: kind === 'timeout' });
        if (kind !== 'aborted') this.dependencies.record(route, call.tickets, true, latencyMs);
      },
    );
  }
}
