/**
 * Reads a request body into memory, refusing more than `maxBytes`. The gate buffers bodies (the
 * shop's are small JSON documents) so an oversized one is refused before it costs the app
 * anything, and a slow client trickling its body never holds an upstream connection.
 */
import type { IncomingMessage } from 'node:http';
import { BodyBudgetExhaustedError, type BodyReservation } from './body-limits';

export class BodyTooLargeError extends Error {
  readonly code = 'SALEDAY_BODY_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`request body exceeds ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export function isBodyTooLargeError(error: unknown): error is BodyTooLargeError {
  return error instanceof BodyTooLargeError;
}

const EMPTY = Buffer.alloc(0);

/** Whether the request announces a body at all (Content-Length > 0 or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * With a `reservation`, every byte kept is drawn from the gate's body budget first (a declared
 * length all at once, before reading): the promise rejects with BodyBudgetExhaustedError as soon
 * as the budget cannot cover the body. The caller releases the reservation once done with the body.
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  reservation?: BodyReservation,
  budgetBytes = 0,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLargeError(maxBytes));
  if (!hasBody(req)) return Promise.resolve(EMPTY);
  if (reservation && Number.isFinite(declared) && !reservation.growTo(declared))
    return Promise.reject(new BodyBudgetExhaustedError(budgetBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(new BodyTooLargeError(maxBytes));
        return;
      }
      if (reservation && !reservation.growTo(size)) {
        cleanup();
        reject(new BodyBudgetExhaustedError(budgetBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => onError(new Error('client aborted the request body'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onClose = () => {
      if (!req.complete) onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
