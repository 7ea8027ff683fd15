/**
 * The gate package's public surface: the guard library it is built on (guard/), the flags document
 * and metric names it agrees on with the other pieces, and the gate proxy.
 */
export * from '../guard';
export * from '../contracts/flags/flags-document';
export * from '../contracts/metrics/gate-metrics';
export * from './proxy';
