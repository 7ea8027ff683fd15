/** Why the flags client could not use what it read; reported through `onError`, never thrown at callers. */
import { GuardError } from '../errors';

/** Redis could not be read (down, timed out, refused): the last-known document stays in force. */
export class FlagsUnavailableError extends GuardError {
  readonly code = 'SALEDAY_FLAGS_UNAVAILABLE';
  constructor(
    readonly operation: 'get' | 'subscribe',
    override readonly cause: unknown,
  ) {
    super(
      `flags: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}; keeping the last-known document`,
    );
    this.name = 'FlagsUnavailableError';
  }
}

/** A document that is not valid JSON or does not match the schema: ignored, the last good one stays. */
export class FlagsDocumentRejectedError extends GuardError {
  readonly code = 'SALEDAY_FLAGS_REJECTED';
  constructor(
    readonly via: 'get' | 'message',
    readonly excerpt: string,
  ) {
    super(`flags: rejected a malformed document from ${via}: ${excerpt}`);
    this.name = 'FlagsDocumentRejectedError';
  }
}

export function isFlagsUnavailableError(error: unknown): error is FlagsUnavailableError {
  return error instanceof FlagsUnavailableError;
}

export function isFlagsDocumentRejectedError(error: unknown): error is FlagsDocumentRejectedError {
  return error instanceof FlagsDocumentRejectedError;
}
