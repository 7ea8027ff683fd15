/** `saleday flags get` as people read it on call: level, open breakers, override and time left, version, last reasons. */
import { openBreakers, type FlagsDocument } from '../../contracts/flags/flags-document';
import { leverExpiries } from '../../lambda/flag-controller/override-levers';
import { formatDuration } from './parse-duration';

export interface FormatFlagsOptions {
  now: Date;
  /** Classes each level sheds (from the config), to say what a level means. */
  shedByLevel?: ReadonlyMap<number, readonly string[]>;
  /** How many history entries to show. @default 5 */
  historyLines?: number;
}

export function formatFlags(doc: FlagsDocument, options: FormatFlagsOptions): string {
  const ago = (iso: string) => `${formatDuration((options.now.getTime() - Date.parse(iso)) / 1000)} ago`;
  const shed = options.shedByLevel?.get(doc.level);
  const lines = [
    `Flags version ${doc.version}${doc.version === 0 ? ' (nothing written yet)' : `, updated ${doc.updatedAt} (${ago(doc.updatedAt)})`}`,
    `Degradation level: ${doc.level}${doc.level === 0 ? ' (normal service)' : shed ? ` (sheds ${shed.join(', ')})` : ''}`,
  ];
  const open = openBreakers(doc);
  lines.push(
    `Open breakers: ${open.length === 0 ? 'none' : open.map((d) => `${d} (since ${doc.breakers[d].since}, ${ago(doc.breakers[d].since)})`).join(', ')}`,
  );
  if (doc.override) {
    // Each lever with its own time left: a breaker opened later must not hide the level's expiry.
    const expiries = leverExpiries(doc.override);
    const timing = (until: string) => {
      const left = (Date.parse(until) - options.now.getTime()) / 1000;
      return left > 0
        ? `${formatDuration(left)} left, until ${until}`
        : `expired at ${until}, removed at the controller's next cycle`;
    };
    const parts = [
      ...(doc.override.level === undefined || expiries.level === undefined
        ? []
        : [`level ${doc.override.level} (${timing(expiries.level)})`]),
      ...Object.entries(doc.override.breakers ?? {}).map(
        ([d, isOpen]) => `breaker ${d} ${isOpen ? 'open' : 'closed'} (${timing(expiries.breakers[d]!)})`,
      ),
    ];
    lines.push(`Override: ${parts.join(', ')}; last set by ${doc.override.actor}: ${doc.override.reason}`);
  } else {
    lines.push('Override: none');
  }
  if (doc.automatic && (doc.automatic.level !== doc.level || doc.override)) {
    lines.push(`Alarms alone would give: level ${doc.automatic.level}`);
  }
  const history = doc.history.slice(0, options.historyLines ?? 5);
  if (history.length > 0) {
    lines.push('Last changes:');
    for (const entry of history)
      lines.push(
        `  v${entry.version} ${entry.at} level ${entry.level}${entry.openBreakers.length ? ` [${entry.openBreakers.join(', ')}]` : ''}: ${entry.reason}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
