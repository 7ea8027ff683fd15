/**
 * The controller cycles that failed during a rehearsal (typically while the cache was down), told
 * so a person can link them to what happened: consecutive failures grouped into one stretch, each
 * with when it ran (seconds from the start of the run), during which phases, how many cycles failed
 * and why. Shared by report.json, report.html and the terminal summary.
 */

/** One failed controller cycle, as the local control plane saw it. */
export interface FailedCycle {
  /** Seconds from the start of the run. */
  second: number;
  /** What woke the controller: its scheduled tick or an alarm state change. */
  trigger: 'schedule' | 'alarm-event' | 'command';
  error: string;
}

/** Consecutive failed cycles (each retried the next second). */
export interface FailedCycleStretch {
  fromSecond: number;
  toSecond: number;
  count: number;
  /** The phases the stretch overlaps, by label (empty: normal traffic). */
  phases: string[];
  /** Each distinct error, with how many cycles failed with it, most frequent first. */
  errors: { error: string; count: number }[];
}

export interface PhaseSpan {
  label: string;
  startSecond: number;
  endSecond: number;
}

/** Failures further apart than this start a new stretch (cycles are retried every second). */
const SAME_STRETCH_GAP_SECONDS = 2;

export function groupFailedCycles(cycles: readonly FailedCycle[], phases: readonly PhaseSpan[]): FailedCycleStretch[] {
  const sorted = [...cycles].sort((a, b) => a.second - b.second);
  const stretches: FailedCycle[][] = [];
  for (const cycle of sorted) {
    const current = stretches[stretches.length - 1];
    const last = current?.[current.length - 1];
    if (current && last && cycle.second - last.second <= SAME_STRETCH_GAP_SECONDS) current.push(cycle);
    else stretches.push([cycle]);
  }
  return stretches.map((stretch) => {
    const fromSecond = stretch[0]!.second;
    const toSecond = stretch[stretch.length - 1]!.second;
    const counts = new Map<string, number>();
    for (const cycle of stretch) counts.set(cycle.error, (counts.get(cycle.error) ?? 0) + 1);
    return {
      fromSecond,
      toSecond,
      count: stretch.length,
      phases: phases.filter((p) => p.startSecond <= toSecond && fromSecond < p.endSecond).map((p) => p.label),
      errors: [...counts].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count),
    };
  });
}

/** One line per stretch, e.g. `41s–52s during cache outage: 11 cycles failed (11× Command timed out)`. */
export function describeFailedCycles(stretches: readonly FailedCycleStretch[]): string[] {
  return stretches.map((s) => {
    const when = s.fromSecond === s.toSecond ? `${s.fromSecond}s` : `${s.fromSecond}s–${s.toSecond}s`;
    const during = s.phases.length > 0 ? `during ${s.phases.join(' + ')}` : 'during normal traffic';
    const why = s.errors.map((e) => `${e.count}× ${e.error}`).join('; ');
    return `${when} ${during}: ${s.count} cycle${s.count === 1 ? '' : 's'} failed (${why})`;
  });
}

/** The terminal's block: a heading and the stretches, or nothing when every cycle succeeded. */
export function failedCyclesTerminalLines(stretches: readonly FailedCycleStretch[] | undefined): string[] {
  if (!stretches || stretches.length === 0) return [];
  const total = stretches.reduce((sum, s) => sum + s.count, 0);
  return [
    `controller: ${total} cycle(s) failed, each retried the next second:`,
    ...describeFailedCycles(stretches).map((line) => `  ${line}`),
  ];
}

/** The report page's section (server-rendered; `escape` is the page's HTML escaping). */
export function failedCyclesHtmlSection(
  stretches: readonly FailedCycleStretch[] | undefined,
  escape: (text: string) => string,
): string {
  if (!stretches || stretches.length === 0) return '';
  const rows = stretches
    .map(
      (s) =>
        `<tr><td>${s.fromSecond}s–${s.toSecond}s</td><td>${escape(s.phases.join(' + ') || 'normal traffic')}</td><td>${s.count}</td><td>${escape(s.errors.map((e) => `${e.count}× ${e.error}`).join('; '))}</td></tr>`,
    )
    .join('');
  return `<section><h2>Controller cycles that failed</h2><p class="hint">Consecutive failed cycles (each retried the next second), when they ran and why.</p><table id="failed-cycles"><thead><tr><th>when</th><th>during</th><th>cycles</th><th>why</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}
