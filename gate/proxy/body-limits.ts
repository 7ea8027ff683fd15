/**
 * What the gate holds in memory for request bodies, and for how many connections. Each route's
 * body cap defaults to what its app accepts (`route.maxBodyBytes`, else `gate.maxBodyBytes`); on
 * top of that every body in memory draws from one budget (`gate.maxBufferedBytes`), and a request
 * arriving on a connection past `gate.maxConnections` is refused. Past either bound a request is
 * answered 503 at once: memory never grows with the number of clients sending large bodies.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { InvalidOptionsError } from '../../guard/errors';
import type { RouteConfig, SaledayConfig } from '../../contracts/config/schema';

export function maxBodyBytesFor(route: RouteConfig, gate: SaledayConfig['gate']): number {
  return route.maxBodyBytes ?? gate.maxBodyBytes;
}

/** Bytes of request bodies in memory across every connection, never above `maxBytes`. */
export class BodyBudget {
  private held = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1)
      throw new InvalidOptionsError('gate.maxBufferedBytes', maxBytes, 'a positive integer of bytes');
  }

  get bufferedBytes(): number {
    return this.held;
  }

  /** One request's share of the budget, given back with `release()` once its body is no longer needed. */
  reservation(): BodyReservation {
    return new BodyReservation(this);
  }

  /** @internal for BodyReservation */
  tryTake(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  /** @internal for BodyReservation */
  giveBack(bytes: number): void {
    this.held -= bytes;
  }
}

export class BodyReservation {
  private bytes = 0;

  constructor(private readonly budget: BodyBudget) {}

  get heldBytes(): number {
    return this.bytes;
  }

  /** Grows the reservation to at least `total` bytes; false (and unchanged) when the budget cannot. */
  growTo(total: number): boolean {
    if (total <= this.bytes) return true;
    if (!this.budget.tryTake(total - this.bytes)) return false;
    this.bytes = total;
    return true;
  }

  release(): void {
    this.budget.giveBack(this.bytes);
    this.bytes = 0;
  }
}

export class BodyBudgetExhaustedError extends Error {
  readonly code = 'SALEDAY_BODY_BUDGET_EXHAUSTED';
  constructor(readonly maxBufferedBytes: number) {
    super(`request bodies in memory would exceed ${maxBufferedBytes} bytes`);
    this.name = 'BodyBudgetExhaustedError';
  }
}

export function isBodyBudgetExhaustedError(error: unknown): error is BodyBudgetExhaustedError {
  return error instanceof BodyBudgetExhaustedError;
}

const OVER_CAPACITY = Symbol('saleday.connectionOverCapacity');
type CountedSocket = Socket & { [OVER_CAPACITY]?: boolean };

/**
 * Counts the server's open connections and marks each one opened past `maxConnections`; requests
 * on a marked connection are refused with 503 (and the connection closed). As a hard backstop,
 * Node drops connections past twice the cap before reading anything from them.
 */
export class ConnectionCap {
  private open = 0;

  constructor(
    server: Server,
    readonly maxConnections: number,
  ) {
    if (!Number.isInteger(maxConnections) || maxConnections < 1)
      throw new InvalidOptionsError('gate.maxConnections', maxConnections, 'a positive integer');
    server.maxConnections = maxConnections * 2;
    server.on('connection', (socket: CountedSocket) => {
      this.open += 1;
      if (this.open > maxConnections) socket[OVER_CAPACITY] = true;
      socket.once('close', () => (this.open -= 1));
    });
  }

  get openConnections(): number {
    return this.open;
  }

  isOverCapacity(socket: Socket): boolean {
    return (socket as CountedSocket)[OVER_CAPACITY] === true;
  }
}
