/**
 * A local TCP relay that stands in for ElastiCache's primary endpoint: clients connect to the relay,
 * the relay connects each of them to the node it targets. On a failover the endpoint's DNS moves to
 * the new primary, but connections already open keep reaching the demoted node; `retarget()` does
 * exactly that: new connections go to the new node, existing ones stay where they are.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class FailoverRelay {
  private readonly sockets = new Set<Socket>();
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    private targetPort: number,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and relays to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<FailoverRelay> {
    const holder: { relay?: FailoverRelay } = {};
    const server = createServer((client) => holder.relay?.accept(client));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    holder.relay = new FailoverRelay(server, targetPort, port);
    return holder.relay;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The node new connections reach. */
  get target(): number {
    return this.targetPort;
  }

  /** Connections accepted since the start (each reconnect of a client is one more). */
  get connectionsAccepted(): number {
    return this.accepted;
  }

  /** New connections go to 127.0.0.1:`port`; connections already open keep their node. */
  retarget(port: number): void {
    this.targetPort = port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    const node = connect(this.targetPort, '127.0.0.1');
    for (const socket of [client, node]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      // Either side closing or failing ends the pair, as a dropped TCP connection would.
      socket.once('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        node.destroy();
      });
      socket.on('error', () => undefined);
    }
    client.pipe(node);
    node.pipe(client);
  }
}
