/** The room record's estimate rate: optional (older records keep working), and a bad value is rejected naming the field and the value. */
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import { parseRoomRecord, RoomRecordRejectedError } from '../../../gate/waiting-room/room-record';
import { roomState } from '../../support/waiting-room-state';

const state: WaitingRoomState = roomState({ t0Ms: 1, openedAtMs: 1 });
const record = (extra: string) => JSON.stringify({ version: 1, updatedAtMs: 0, state }).replace(/}}$/, `${extra}}}`);

describe('the room record: estimateRatePerSecond', () => {
  it('is optional: a record written before the field reads as it was', () => {
    expect(parseRoomRecord(record('')).state).toEqual(state);
  });

  it.each([0, 12.5])('reads %p', (rate) => {
    expect(parseRoomRecord(record(`,"estimateRatePerSecond":${rate}`)).state.estimateRatePerSecond).toBe(rate);
  });

  it.each([
    ['-1', /state\.estimateRatePerSecond: got -1; expected 0 \(the line's speed not measured yet\) or more tickets/],
    ['"20"', /state\.estimateRatePerSecond: got "20"; expected 0/],
    ['null', /state\.estimateRatePerSecond: got null; expected 0/],
    ['1e999', /state\.estimateRatePerSecond: got Infinity; expected 0/],
  ])('rejects %s, naming the field, the value and what was expected', (raw, message) => {
    let thrown: unknown;
    try {
      parseRoomRecord(record(`,"estimateRatePerSecond":${raw}`));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RoomRecordRejectedError);
    expect((thrown as Error).message).toMatch(message);
  });
});
