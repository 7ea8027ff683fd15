/**
 * The waiting room, when the config opens one: answers the join and, while the room is open,
 * refuses a request without a pass for its identity (gate/waiting-room/room-gate.ts).
 */
import type { RoomGate } from '../../waiting-room/room-gate';
import type { RequestContext, Step, StepResult } from '../request-context';

export class WaitingRoomStep implements Step {
  readonly name = 'waiting-room';

  constructor(private readonly room: RoomGate) {}

  run(context: RequestContext): StepResult {
    const { req, res, target } = context;
    return this.room.handle(req, res, () => context.identity, target.path) ? 'answered' : 'next';
  }
}
