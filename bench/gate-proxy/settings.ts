/** The gate-proxy benchmark's knobs, shared by the orchestration and the roles. */
import { join } from 'node:path';

// A bundled role runs from a temporary directory: the checkout is passed along.
export const ROOT = process.env.SALEDAY_BENCH_ROOT ?? join(__dirname, '..', '..');
/** Closed-loop connections of the throughput comparison (SALEDAY_BENCH_CONNECTIONS, when exploring). */
export const CLOSED_LOOP_CONNECTIONS = Math.max(1, Number(process.env.SALEDAY_BENCH_CONNECTIONS ?? 64));
/** The peer proxy the gate is compared with: Debian's nginx. */
export const NGINX = '/usr/sbin/nginx';
export const WARMUP_MS = 1000;
export const MEASURE_MS = 4000;
/**
 * Interleaved rounds of the bare proxy and the gates (SALEDAY_BENCH_ROUNDS). Seven, not five: on
 * shared cores one round's ratio varies widely, and a median of seven moves less with one unlucky round.
 */
export const COST_ROUNDS = Math.max(1, Number(process.env.SALEDAY_BENCH_ROUNDS ?? 7));
export const OVERLOAD_MS = 6000;
/** The speculative-read latency comparison: Redis this far away each way, and the app this slow to answer a read. */
export const REDIS_HOP_DELAY_MS = 1;
export const READ_SERVICE_MS = 5;
