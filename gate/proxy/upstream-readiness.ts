/**
 * Whether the app behind the gate still answers: the gate's readiness (READY_PATH), which the load
 * balancer checks, so a task whose app hung leaves the target group while the gate itself (whose
 * liveness is HEALTH_PATH) stays up. The gate probes the app's health path on its own connection
 * every `intervalMs` with a short timeout, and any answer the app gives to proxied traffic counts
 * too (a busy app answering customers is alive even when a probe waits behind them). Ready means the
 * app answered within the last `staleAfterMs`; the answer is read from memory, so it is cheap.
 */
import { request } from 'node:http';
import { APP_HEALTH_PATH } from '../../contracts/app-health-path';
import type { Clock } from '../../guard/clock';
import { InvalidOptionsError } from '../../guard/errors';

export interface UpstreamReadinessOptions {
  /** How often the gate probes the app. @default 1000 */
  intervalMs?: number;
  /** A probe the app has not answered within this counts as failed. @default 1000 */
  timeoutMs?: number;
  /** Ready while the app's last answer is at most this old. @default 5000 */
  staleAfterMs?: number;
  /** The app's health path. @default /healthz */
  path?: string;
}

export interface ReadinessState {
  ready: boolean;
  /** Milliseconds since the app last answered; null when it never has. */
  lastAnswerAgoMs: number | null;
  /** Why the last probe failed, if it did. */
  lastProbeError: string | null;
}

export interface UpstreamReadiness {
  state(): ReadinessState;
  /** The app answered something (a proxied request): it is alive. */
  noteAnswer(): void;
  /** Probes once now (the timer does this every interval). */
  probe(): Promise<void>;
  close(): void;
}

export function createUpstreamReadiness(
  options: UpstreamReadinessOptions & { upstream: string; clock: Clock; onChange?: (state: ReadinessState) => void },
): UpstreamReadiness {
  const intervalMs = positive('readiness.intervalMs', options.intervalMs ?? 1000);
  const timeoutMs = positive('readiness.timeoutMs', options.timeoutMs ?? 1000);
  const staleAfterMs = positive('readiness.staleAfterMs', options.staleAfterMs ?? 5000);
  if (staleAfterMs <= intervalMs)
    throw new InvalidOptionsError(
      'readiness.staleAfterMs',
      staleAfterMs,
      `more than readiness.intervalMs (${intervalMs})`,
    );
  const url = new URL(options.path ?? APP_HEALTH_PATH, options.upstream).toString();
  const { clock } = options;
  let lastAnswerAt: number | undefined;
  let lastProbeError: string | null = null;
  let inFlight: Promise<void> | undefined;
  let wasReady = false;
  let closed = false;

  const state = (): ReadinessState => {
    const agoMs = lastAnswerAt === undefined ? null : clock.now() - lastAnswerAt;
    return { ready: agoMs !== null && agoMs <= staleAfterMs, lastAnswerAgoMs: agoMs, lastProbeError };
  };
  const reportChange = () => {
    const current = state();
    if (current.ready !== wasReady) {
      wasReady = current.ready;
      options.onChange?.(current);
    }
  };
  const noteAnswer = () => {
    lastAnswerAt = clock.now();
  };

  const probeOnce = async () => {
    try {
      const status = await getStatus(url, timeoutMs);
      if (status >= 200 && status < 300) {
        noteAnswer();
        lastProbeError = null;
      } else {
        lastProbeError = `the app answered ${status} on ${url}`;
      }
    } catch (error) {
      lastProbeError = error instanceof Error ? error.message : String(error);
    }
    reportChange();
  };
  // One probe at a time: a hung app must not pile up connections.
  const probe = () => (inFlight ??= probeOnce().finally(() => (inFlight = undefined)));

  const timer = setInterval(() => {
    if (!closed) void probe();
  }, intervalMs);
  timer.unref();
  void probe();

  return {
    state: () => {
      reportChange();
      return state();
    },
    noteAnswer,
    probe,
    close: () => {
      closed = true;
      clearInterval(timer);
    },
  };
}

/** GET on a connection of its own (closed after), so a probe never waits behind proxied requests. */
function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', agent: false, headers: { connection: 'close', 'user-agent': 'saleday-gate-readiness' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`the app did not answer ${url} within ${timeoutMs} ms`)));
    req.on('error', (error) =>
      reject(
        new Error(
          error.message.startsWith('the app') ? error.message : `the app is unreachable on ${url}: ${error.message}`,
        ),
      ),
    );
    req.end();
  });
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidOptionsError(field, value, 'a positive number of milliseconds');
  return value;
}
