/**
 * The route's dependencies' breakers, per request: a ticket from each before the call, and the
 * call's outcome recorded on them (and counted in the metrics) once it is known.
 */
import type { RouteConfig } from '../../contracts/config/schema';
import type { BreakerRegistry, BreakerTicket, ObservableCircuitBreaker } from '../../guard/breaker';
import { dependencyOutcome } from '../proxy/dependency-blame';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import type { GateConfig } from '../../contracts/config/gate-config-slice';

export class DependencyTickets {
  constructor(
    private readonly breakers: BreakerRegistry,
    private readonly blame: GateConfig['gate']['breakerBlame'],
    private readonly metrics: GateMetricsRecorder,
  ) {}

  /** A ticket from every dependency's breaker, or the breaker that refused one. */
  take(route: RouteConfig): BreakerTicket[] | ObservableCircuitBreaker {
    const tickets: BreakerTicket[] = [];
    for (const dependency of route.dependencies) {
      const breaker = this.breakers.get(dependency);
      const ticket = breaker.tryPass();
      if (!ticket) return breaker;
      tickets.push(ticket);
    }
    return tickets;
  }

  /** Closed breakers always hand out tickets; a half-open one's few probes are not spent on speculation. */
  allClosed(route: RouteConfig): boolean {
    for (const dependency of route.dependencies) if (this.breakers.get(dependency).state() !== 'closed') return false;
    return true;
  }

  /**
   * Tickets are in the order of route.dependencies. A failure the app blamed on one dependency is
   * that one's alone; the others' health is unknown (most likely they were never called), so they
   * record nothing (a half-open breaker reissues unanswered probes).
   */
  record(route: RouteConfig, tickets: BreakerTicket[], failed: boolean, latencyMs: number, blamed?: string): void {
    const outcome = dependencyOutcome(this.blame, failed, latencyMs, blamed);
    tickets.forEach((ticket, i) => {
      const dependency = route.dependencies[i]!;
      if (outcome.failedDependency(dependency)) ticket.failure();
      else if (!failed) ticket.success(outcome.successLatencyMs);
    });
    for (const dependency of route.dependencies) {
      if (!failed || outcome.failedDependency(dependency)) this.metrics.dependencyCall(dependency, failed);
    }
  }
}
