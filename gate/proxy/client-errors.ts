/**
 * Answers for requests Node's HTTP parser refuses before the gate ever sees them: headers too
 * large (431), malformed syntax (400), a client too slow to send its headers or body (408). They
 * are written on the raw socket, carry the outcome header, and never throw.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { OUTCOME_HEADER } from '../../contracts/metrics/gate-metrics';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
};

export function statusForClientError(error: NodeJS.ErrnoException): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    default:
      return 400;
  }
}

export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  onAnswered: (status: number, code: string) => void,
): void {
  // A reset or an already-dead socket has nobody left to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A response already under way on this socket (keep-alive) cannot be interleaved with another.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (pending?.headersSent) {
    socket.destroy();
    return;
  }
  const status = statusForClientError(error);
  const body = JSON.stringify({ error: REASONS[status] ?? 'Bad Request' });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Bad Request'}\r\n` +
      `content-type: application/json\r\n${OUTCOME_HEADER}: bad-request\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  onAnswered(status, error.code ?? 'unknown');
}

/** HTTP/1.1 requires a Host header (RFC 9112 §3.2); the gate answers its absence itself, with the outcome header. */
export function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor === 1;
}
