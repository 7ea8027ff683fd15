/**
 * A failover without restarting anything, the way ElastiCache does a planned one: writes are held
 * on the primary until the replica has every one of them (its replication offset caught up), the replica is promoted (REPLICAOF NO ONE),
 * the endpoint moves to it (the relay's new connections), and the old primary is demoted to a
 * replica of the new one (REPLICAOF), after which it answers writes with READONLY. Connections
 * already open still reach it: each client has to notice and reconnect.
 */
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import type { FailoverRelay } from './failover-relay';

export interface FailoverNodes {
  /** Port of the node that is primary now (the relay's target). */
  primaryPort: number;
  /** Port of its replica, promoted by the failover. */
  replicaPort: number;
}

/** How long writes may be held while the replica catches up. */
const HOLD_WRITES_MS = 5000;

/** Swaps the roles; resolves once the new primary takes writes. Returns the new roles. */
export async function failOver(nodes: FailoverNodes, relay: FailoverRelay): Promise<FailoverNodes> {
  const admin = (port: number) =>
    createRedisConnection({
      url: `redis://127.0.0.1:${port}`,
      connectionName: 'saleday-failover',
      commandTimeoutMs: HOLD_WRITES_MS + 1000,
    });
  const oldPrimary = admin(nodes.primaryPort);
  const newPrimary = admin(nodes.replicaPort);
  try {
    await oldPrimary.call('CLIENT', 'PAUSE', String(HOLD_WRITES_MS), 'WRITE');
    // WAIT would sit out the replica's once-a-second ACK while writes are paused: read its offset instead.
    const target = replicationOffset(await oldPrimary.info('replication'), 'master_repl_offset');
    const deadline = Date.now() + HOLD_WRITES_MS;
    while (replicationOffset(await newPrimary.info('replication'), 'slave_repl_offset') < target) {
      if (Date.now() > deadline)
        throw new Error(
          `failover: the replica on port ${nodes.replicaPort} did not catch up with the primary within ${HOLD_WRITES_MS} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await newPrimary.call('REPLICAOF', 'NO', 'ONE');
    relay.retarget(nodes.replicaPort);
    await oldPrimary.call('REPLICAOF', '127.0.0.1', String(nodes.replicaPort));
    await oldPrimary.call('CLIENT', 'UNPAUSE');
    return { primaryPort: nodes.replicaPort, replicaPort: nodes.primaryPort };
  } finally {
    oldPrimary.disconnect();
    newPrimary.disconnect();
  }
}

/** Makes `replicaPort` a replica of `primaryPort` and waits until it has caught up. */
export async function attachReplica(nodes: FailoverNodes, timeoutMs = 10_000): Promise<void> {
  const replica = createRedisConnection({
    url: `redis://127.0.0.1:${nodes.replicaPort}`,
    connectionName: 'saleday-failover',
  });
  try {
    await replica.call('REPLICAOF', '127.0.0.1', String(nodes.primaryPort));
    const deadline = Date.now() + timeoutMs;
    while (!/master_link_status:up/.test(await replica.info('replication'))) {
      if (Date.now() > deadline)
        throw new Error(
          `the replica on port ${nodes.replicaPort} did not reach the primary on port ${nodes.primaryPort} within ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    replica.disconnect();
  }
}

function replicationOffset(info: string, field: 'master_repl_offset' | 'slave_repl_offset'): number {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match ? Number(match[1]) : -1;
}
