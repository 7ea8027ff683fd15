/** The rate controller's policy from the sale config: the room's bounds and session, the SLA, and the loop's fixed gains. */
import type { WaitingRoomConfig } from '../../contracts/config/waiting-room-schema';
import type { RatePolicy } from './decide-rate';

export function ratePolicyFromConfig(
  room: Pick<WaitingRoomConfig, 'minRatePerSecond' | 'maxRatePerSecond' | 'sessionMinutes'>,
  slaP99Ms: number,
): RatePolicy {
  return {
    slaP99Ms,
    minRatePerSecond: room.minRatePerSecond,
    maxRatePerSecond: room.maxRatePerSecond,
    sessionSeconds: room.sessionMinutes * 60,
    nearSlaShare: 0.8,
    shedTolerance: 0.005,
    decreaseFactor: 0.7,
    // Fifty steps from the minimum to the maximum: gentle, yet the whole range in minutes.
    increaseStepPerSecond: Math.max(room.minRatePerSecond, (room.maxRatePerSecond - room.minRatePerSecond) / 50),
    targetUtilization: 0.75,
    decreaseSpacingMs: 10_000,
    increaseSpacingMs: 10_000,
  };
}
