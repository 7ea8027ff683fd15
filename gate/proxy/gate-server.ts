/**
 * The gate: a reverse proxy in front of the app that, per request, identifies the client,
 * classifies the route, applies the flags (degradation level, open breakers), rate-limits, admits
 * through the priority-partitioned concurrency limit and proxies with a deadline, recording the
 * outcome for the limiter, the breakers and the metrics. Every answer carries `saleday-outcome`.
 * The steps are in gate/pipeline/, their order in gate/runtime/gate-pipeline.ts, and what runs
 * them in gate/runtime/gate-runtime.ts.
 */
import { GateRuntime } from '../runtime/gate-runtime';
import type { Gate, GateOptions } from '../runtime/gate-options';

export type { Gate, GateOptions, GateTimeouts } from '../runtime/gate-options';

export function createGate(options: GateOptions): Gate {
  return new GateRuntime(options);
}

export interface StartedGate {
  /** http://host:port the gate listens on. */
  url: string;
  gate: Gate;
  close(): Promise<void>;
}

/** Creates the gate, waits for its flags, and listens. Port 0 picks a free port. */
export async function startGate(options: GateOptions & { port: number; host?: string }): Promise<StartedGate> {
  const gate = createGate(options);
  try {
    await gate.ready;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      gate.server.once('error', reject);
      gate.server.listen(options.port, host, () => {
        gate.server.off('error', reject);
        resolve();
      });
    });
    const address = gate.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    return { url: `http://${shownHost}:${port}`, gate, close: () => gate.close() };
  } catch (error) {
    await gate.close();
    throw error;
  }
}
