/**
 * The Retry-After a client hears while its priority class is shed by the degradation level (by
 * the gate itself, and by its admission queues for requests already waiting). Imports nothing of
 * the project. The flag controller steps a level down no sooner than its calm period (at least
 * 10 s, contracts/config/schema.ts), so a client coming back after this does not find the class
 * reopened much earlier than it was told.
 */
export const DEGRADED_RETRY_AFTER_MS = 5_000;
