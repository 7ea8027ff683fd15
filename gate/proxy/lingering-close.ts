/**
 * Answering a request whose body the gate will not read (413, or 503 for lack of memory) so the
 * client can read the answer. Closing at once would leave the unread body in the socket, and the
 * kernel answers the client's next bytes with a reset: a client still sending (a Node fetch
 * posting 5 MiB) sees EPIPE or ECONNRESET instead of the answer. So the answer is sent whole, then
 * the rest of the body is read and dropped (never kept) until it ends, or for at most
 * `maxMs` / `maxBytes`, whichever comes first, and only then is the connection closed. This is
 * nginx's lingering close.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LingerLimits {
  /** Longest the gate keeps reading a refused body. */
  maxMs: number;
  /** Most bytes of a refused body the gate reads (and drops) before closing anyway. */
  maxBytes: number;
}

export const DEFAULT_LINGER: LingerLimits = { maxMs: 2000, maxBytes: 8 * 1024 * 1024 };

/**
 * Writes the complete answer (with `connection: close`), drains what is left of the request body
 * within `limits`, then ends the response, which closes the connection.
 */
export function answerThenLinger(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  payload: Buffer,
  limits: LingerLimits = DEFAULT_LINGER,
): void {
  if (res.headersSent || res.destroyed) return;
  res.shouldKeepAlive = false;
  res.writeHead(status, { ...headers, 'content-length': payload.length, connection: 'close' });
  const body = req.method === 'HEAD' ? undefined : payload;
  if (req.complete || req.destroyed) {
    res.end(body);
    return;
  }
  if (body) res.write(body);
  let discarded = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', finish);
    req.off('error', finish);
    res.off('close', finish);
    if (!res.writableEnded) res.end();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limits.maxBytes) finish();
  };
  const timer = setTimeout(finish, limits.maxMs);
  timer.unref();
  req.on('data', onData);
  req.once('end', finish);
  req.once('error', finish);
  res.once('close', finish);
  req.resume();
}
