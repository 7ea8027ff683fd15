/**
 * A TCP relay in front of a real redis-server that can hold back the server's replies: armed with
 * a pattern, it holds every reply from the moment a client command containing the pattern passes
 * until `ms` later, then delivers them in order. A command's reply is late, not lost: what a
 * client sees when Redis is slow to answer, or the network stalls, after executing the command.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface StallingRelay {
  readonly url: string;
  /** The next client command containing `pattern` starts a stall of the replies lasting `ms`. */
  stallRepliesAfter(pattern: string, ms: number): void;
  /** Whether an armed stall has started. */
  stallStarted(): boolean;
  close(): Promise<void>;
}

export async function startStallingRelay(targetPort: number): Promise<StallingRelay> {
  let armed: { pattern: string; ms: number } | undefined;
  let started = false;
  let stallUntil = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client).add(upstream);
    const held: Buffer[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    const flush = () => {
      flushTimer = undefined;
      for (const chunk of held.splice(0)) client.write(chunk);
    };
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(armed.pattern)) {
        stallUntil = Date.now() + armed.ms;
        started = true;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const now = Date.now();
      if (now < stallUntil || held.length > 0) {
        held.push(chunk);
        flushTimer ??= setTimeout(flush, Math.max(0, stallUntil - now));
        return;
      }
      client.write(chunk);
    });
    const closeBoth = () => {
      clearTimeout(flushTimer);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `redis://127.0.0.1:${port}`,
    stallRepliesAfter: (pattern, ms) => {
      armed = { pattern, ms };
      started = false;
    },
    stallStarted: () => started,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
