/**
 * What the rehearsal measures after a cache failover, from the moment it began: the first checkout
 * through a gate answered 201, every gate deciding its rate limits on Redis again, and the flags
 * store taking a write on the new primary. The probe wraps the cache outage, so it starts when the
 * failover is done without the phase schedule knowing about it.
 */
import { GATE_METRICS_PATH } from '../../../contracts/reserved-paths';
import { FLAGS_KEY } from '../../../contracts/flags/flags-document';
import type { FlagsStore } from '../../../guard/flags/flags-store';
import { nextFlagsVersion } from '../../../contracts/flags/flags-version';
import type { CacheOutage } from './cache-outage';
import type { RequestFactory } from '../traffic/request-factory';

export interface FailoverFindings {
  /** From the failover's start to the first 201 of a checkout sent after it; undefined when none came. */
  firstCheckoutMs?: number;
  checkoutAttempts: number;
  /** Answers the probe's checkouts got before the first 201 (status or error). */
  answersBefore: string[];
  /** From the failover's start until every gate decided its limits on Redis again. */
  limitsBackMs?: number;
  /** From the failover's start until the flags store took a write. */
  flagsWritableMs?: number;
  flagsError?: string;
  /** How long the probe looked before giving up. */
  patienceMs: number;
}

export interface FailoverProbeOptions {
  gateUrls: readonly string[];
  factory: RequestFactory;
  store: FlagsStore;
  /** @default 15_000 */
  patienceMs?: number;
}

/** The outage, plus a probe that starts once it has happened (`findings()` waits for it). */
export function probeFailover(
  outage: CacheOutage,
  options: FailoverProbeOptions,
): CacheOutage & { findings(): Promise<FailoverFindings | undefined> } {
  let running: Promise<FailoverFindings> | undefined;
  return {
    ...outage,
    begin: async (durationMs) => {
      const startedAt = Date.now();
      await outage.begin(durationMs);
      running = measure(startedAt, options);
    },
    findings: async () => running,
  };
}

async function measure(startedAt: number, options: FailoverProbeOptions): Promise<FailoverFindings> {
  const patienceMs = options.patienceMs ?? 15_000;
  const deadline = startedAt + patienceMs;
  const [checkout, limitsBackMs, flags] = await Promise.all([
    firstCheckout(startedAt, deadline, options),
    limitsBackOnRedis(startedAt, deadline, options.gateUrls),
    flagsWritable(startedAt, deadline, options.store),
  ]);
  return { ...checkout, limitsBackMs, ...flags, patienceMs };
}

async function firstCheckout(startedAt: number, deadline: number, options: FailoverProbeOptions) {
  const answersBefore: string[] = [];
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    const request = options.factory.build('checkout', `failover-probe-${attempt}`);
    const gateUrl = options.gateUrls[attempt % options.gateUrls.length]!;
    try {
      const response = await fetch(gateUrl + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(3000),
      });
      await response.arrayBuffer();
      if (response.status === 201)
        return { firstCheckoutMs: Date.now() - startedAt, checkoutAttempts: attempt + 1, answersBefore };
      answersBefore.push(String(response.status));
    } catch (error) {
      answersBefore.push(error instanceof Error ? error.name : 'error');
    }
    await pause(100);
  }
  return { checkoutAttempts: answersBefore.length, answersBefore };
}

interface GateMetrics {
  process?: { redisFallback?: boolean };
  rateLimitSources?: Record<string, number>;
}

async function limitsBackOnRedis(
  startedAt: number,
  deadline: number,
  gateUrls: readonly string[],
): Promise<number | undefined> {
  const read = async (url: string): Promise<GateMetrics | undefined> => {
    try {
      return (await (
        await fetch(`${url}${GATE_METRICS_PATH}`, { signal: AbortSignal.timeout(2000) })
      ).json()) as GateMetrics;
    } catch {
      return undefined;
    }
  };
  const baseline = await Promise.all(gateUrls.map(async (url) => (await read(url))?.rateLimitSources?.redis ?? 0));
  const back = new Set<number>();
  while (Date.now() < deadline) {
    await Promise.all(
      gateUrls.map(async (url, index) => {
        const metrics = await read(url);
        if (
          metrics &&
          metrics.process?.redisFallback === false &&
          (metrics.rateLimitSources?.redis ?? 0) > baseline[index]!
        )
          back.add(index);
      }),
    );
    if (back.size === gateUrls.length) return Date.now() - startedAt;
    await pause(100);
  }
  return undefined;
}

/** The same flags under a newer version: proves a write lands, and changes nothing the gates obey. */
async function flagsWritable(
  startedAt: number,
  deadline: number,
  store: FlagsStore,
): Promise<{ flagsWritableMs?: number; flagsError?: string }> {
  let flagsError: string | undefined;
  while (Date.now() < deadline) {
    try {
      const stored = await store.read();
      if (stored) {
        const result = await store.write({ ...stored, version: nextFlagsVersion(stored.version, Date.now()) });
        if (result.written) return { flagsWritableMs: Date.now() - startedAt };
      } else {
        flagsError = `${FLAGS_KEY} was missing`;
      }
    } catch (error) {
      flagsError = error instanceof Error ? error.message : String(error);
    }
    await pause(100);
  }
  return { flagsError };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
