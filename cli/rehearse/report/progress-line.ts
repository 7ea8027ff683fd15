/**
 * One line of progress on stderr while the rehearsal runs, rewritten in place on a terminal and
 * printed every few seconds otherwise (CI logs stay readable).
 */
export interface ProgressSnapshot {
  elapsedMs: number;
  durationMs: number;
  phase: string;
  sentPerSecond: number;
  level: number;
  openBreakers: string[];
  alarmsInAlarm: number;
  redisUp: boolean;
}

export class ProgressLine {
  private lastPlainAt = -Infinity;
  private written = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5000,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    const text = formatProgress(snapshot);
    if (this.stream.isTTY) {
      this.stream.write(`\r\u001b[2K${text.slice(0, (this.stream.columns ?? 120) - 1)}`);
      this.written = true;
    } else if (snapshot.elapsedMs - this.lastPlainAt >= this.plainEveryMs) {
      this.stream.write(`${text}\n`);
      this.lastPlainAt = snapshot.elapsedMs;
    }
  }

  /** Ends the in-place line so what follows starts on a fresh one. */
  close(): void {
    if (this.written && this.stream.isTTY) this.stream.write('\n');
    this.written = false;
  }
}

export function formatProgress(s: ProgressSnapshot): string {
  const share = Math.min(1, s.elapsedMs / s.durationMs);
  const width = 24;
  const filled = Math.round(share * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const elapsed = Math.floor(s.elapsedMs / 1000);
  const total = Math.round(s.durationMs / 1000);
  const breakers = s.openBreakers.length > 0 ? ` open:${s.openBreakers.join(',')}` : '';
  return `${bar} ${String(elapsed).padStart(3)}/${total}s  ${s.phase.padEnd(26)} ${String(Math.round(s.sentPerSecond)).padStart(5)} req/s  level ${s.level}${breakers}  alarms ${s.alarmsInAlarm}  redis ${s.redisUp ? 'up' : 'DOWN'}`;
}
