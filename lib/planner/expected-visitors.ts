/** Visitors of the sale from its audience: each channel times its show-up share. */
import type { PlannerAssumptions } from './planner-assumptions';

export interface AudienceFigures {
  readonly socialFollowers: number;
  readonly registeredUsers: number;
  readonly adImpressions: number;
}

export function expectedVisitors(
  audience: AudienceFigures,
  a: Pick<PlannerAssumptions, 'followerShowUpShare' | 'registeredShowUpShare' | 'impressionVisitShare'>,
): number {
  return (
    audience.socialFollowers * a.followerShowUpShare +
    audience.registeredUsers * a.registeredShowUpShare +
    audience.adImpressions * a.impressionVisitShare
  );
}
