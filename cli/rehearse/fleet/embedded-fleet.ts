/**
 * The fallback when there is no Redis at all: one gate and one storefront inside this process, on
 * their in-memory stores, sharing one MemoryFlags (the controller writes it, the gate reads it).
 * Separate processes cannot share memory, so this mode runs a single pair; everything else (the
 * alarms, the controller, the traffic, the report) is the same. There is no cache to take down.
 */
import type { MemoryFlags } from '../../../guard/flags/memory-flags';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate } from '../../../gate/proxy/gate-server';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { startStorefront } from '../../../storefront/server';
import { parseEmfLine, type EmfRecord } from '../metrics/emf-line-reader';

export interface EmbeddedFleet {
  readonly gateUrl: string;
  readonly storefrontUrl: string;
  /** The storefront's operator listener (/_stats, /_faults, /_stock/reset). */
  readonly operatorUrl: string;
  close(): Promise<void>;
}

export async function startEmbeddedFleet(options: {
  config: SaledayConfig;
  flags: MemoryFlags;
  stockPerProduct: number;
  recommendationsWork: number;
  onGateMetrics(gateId: string, record: EmfRecord): void;
}): Promise<EmbeddedFleet> {
  const storefront = await startStorefront({
    port: 0,
    operatorPort: 0,
    enableFaultInjection: true,
    stockPerProduct: options.stockPerProduct,
    recommendationsWork: options.recommendationsWork,
  });
  try {
    const gateId = 'gate-1';
    const gate = await startGate({
      config: options.config,
      upstream: storefront.url,
      port: 0,
      flags: options.flags,
      gateId,
      logger: silentLogger,
      metricsSink: (line) => {
        const record = parseEmfLine(line);
        if (record) options.onGateMetrics(gateId, record);
      },
    });
    return {
      gateUrl: gate.url,
      storefrontUrl: storefront.url,
      operatorUrl: storefront.operatorUrl!,
      close: async () => {
        await gate.close();
        await storefront.close();
      },
    };
  } catch (error) {
    await storefront.close();
    throw error;
  }
}
