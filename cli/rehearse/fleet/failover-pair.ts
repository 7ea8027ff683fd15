/**
 * The rehearsal's cache as ElastiCache runs it: a primary and a replica redis-server (each under the
 * child supervisor, each with its own append-only file) behind a relay that stands in for the
 * primary endpoint. Every client connects to the relay; a failover swaps the roles without
 * restarting anything (see redis-failover.ts).
 */
import type { ChildSupervisor } from '../../support/child-supervisor';
import { launchRedisServer, underSupervisor, type LaunchedRedis } from '../../support/redis-launcher';
import { FailoverRelay } from './failover-relay';
import { attachReplica, failOver, type FailoverNodes } from './redis-failover';

export class FailoverPair {
  private nodes: FailoverNodes;

  private constructor(
    private readonly servers: readonly LaunchedRedis[],
    readonly relay: FailoverRelay,
  ) {
    this.nodes = { primaryPort: servers[0]!.port, replicaPort: servers[1]!.port };
  }

  static async start(supervisor: ChildSupervisor): Promise<FailoverPair> {
    const servers: LaunchedRedis[] = [];
    try {
      const spawn = underSupervisor(supervisor);
      servers.push(await launchRedisServer({ persistent: true, spawn }));
      servers.push(await launchRedisServer({ persistent: true, spawn, replicaOf: servers[0]!.port }));
      await attachReplica({ primaryPort: servers[0]!.port, replicaPort: servers[1]!.port });
      return new FailoverPair(servers, await FailoverRelay.start(servers[0]!.port));
    } catch (error) {
      await Promise.all(servers.map((s) => s.close()));
      throw error;
    }
  }

  /** What every client connects to: the relay, as clients connect to the primary endpoint. */
  get url(): string {
    return this.relay.url;
  }

  get primaryPort(): number {
    return this.nodes.primaryPort;
  }

  get replicaPort(): number {
    return this.nodes.replicaPort;
  }

  /** Promotes the replica and demotes the primary; resolves once the new primary takes writes. */
  async failOver(): Promise<void> {
    this.nodes = await failOver(this.nodes, this.relay);
  }

  async close(): Promise<void> {
    await this.relay.close();
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
