import { Writable } from 'node:stream';
import { formatProgress, ProgressLine, type ProgressSnapshot } from '../../../../cli/rehearse/report/progress-line';

const snapshot: ProgressSnapshot = {
  elapsedMs: 30_000,
  durationMs: 120_000,
  phase: 'surge + bot-flood',
  sentPerSecond: 812.4,
  level: 2,
  openBreakers: ['payments'],
  alarmsInAlarm: 1,
  redisUp: false,
};

function stream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(writable, { isTTY, columns: 200 });
  return { stream: writable, text: () => text };
}

describe('progress line', () => {
  it('shows the bar, the time, the phase, the rate, the level, open breakers, alarms and Redis', () => {
    expect(formatProgress(snapshot)).toBe(
      '██████░░░░░░░░░░░░░░░░░░  30/120s  surge + bot-flood            812 req/s  level 2 open:payments  alarms 1  redis DOWN',
    );
  });

  it('rewrites one line in place on a terminal', () => {
    const out = stream(true);
    const line = new ProgressLine(out.stream);
    line.update(snapshot);
    line.update({ ...snapshot, elapsedMs: 31_000 });
    line.close();
    expect(out.text().split('\r\u001b[2K')).toHaveLength(3);
    expect(out.text().endsWith('\n')).toBe(true);
    expect(out.text().split('\n')).toHaveLength(2);
  });

  it('prints a plain line every few seconds otherwise', () => {
    const out = stream(false);
    const line = new ProgressLine(out.stream, 5000);
    for (let ms = 0; ms <= 12_000; ms += 250) line.update({ ...snapshot, elapsedMs: ms });
    line.close();
    expect(out.text().trim().split('\n')).toHaveLength(3); // at 0, 5 and 10 s
    expect(out.text()).not.toContain('\r');
  });
});
