/**
 * A TCP relay on loopback that holds every chunk for `delayMs` in each direction: a server on this
 * machine made to look a network hop away (as ElastiCache is from a Fargate task), without root
 * or traffic control. Chunks keep their order (timers of one duration fire in the order they were
 * set); Node's timers round the delay up to whole milliseconds.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface DelayingRelay {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  close(): Promise<void>;
}

export async function startDelayingRelay(targetPort: number, delayMs: number): Promise<DelayingRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, target]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    forward(client, target, delayMs);
    forward(target, client, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends what `from` reads to `to`, each chunk `delayMs` late; either side closing closes the other. */
function forward(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}
