/** `saleday queue status` in a few plain lines: open or not, the line, the rate, and the levers in force with their time left. */
import { formatDuration } from '../flags/parse-duration';
import type { QueueStatus } from './queue-levers';

interface LeverView {
  value: unknown;
  untilMs: number;
  reason: string;
  actor: string;
}

export function formatQueueStatus(status: QueueStatus, nowMs: number): string {
  const { summary: s } = status;
  const lines: string[] = [];
  lines.push(
    `Waiting room: ${!s.open ? 'closed' : s.preQueue ? 'open (pre-queue: nobody admitted before the opening)' : 'open'}${status.version === 0 ? ' (nothing written yet)' : ` (version ${status.version})`}`,
  );
  if (s.open) {
    lines.push(`Waiting: ${s.waiting} of ${s.issuedCount} tickets issued`);
    lines.push(`Admission rate: ${round(s.ratePerSecond)}/s (${Math.round(s.admittedPerMinute)} per minute)`);
    lines.push(
      `Estimated wait, last in line: ${s.estimating ? 'not yet (the controller is measuring how fast the line moves)' : s.estimatedWaitSeconds === undefined ? 'unknown (admission paused)' : formatDuration(s.estimatedWaitSeconds)}`,
    );
  }
  lines.push(`Signing key: ${s.keyId}`);
  const control = (status.control ?? {}) as { manualOpen?: LeverView; manualRate?: LeverView };
  const lever = (name: string, l: LeverView | undefined, show: (v: unknown) => string) =>
    l
      ? `${name}: ${show(l.value)} for ${formatDuration((l.untilMs - nowMs) / 1000)} more (${l.reason}, ${l.actor})`
      : `${name}: none`;
  lines.push(lever('Open/close lever', control.manualOpen, (v) => (v ? 'open' : 'closed')));
  lines.push(lever('Rate lever', control.manualRate, (v) => `${String(v)}/s`));
  return `${lines.join('\n')}\n`;
}

const round = (n: number) => Math.round(n * 10) / 10;
