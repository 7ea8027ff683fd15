/**
 * The gate proxy: createGate / startGate and the pieces other tools reuse. The guard library it is
 * built on has its own barrel (guard/index.ts); the shared names are in contracts/.
 */
export * from './proxy';
