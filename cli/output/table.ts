/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */
export type Cell = string | number;

export interface TableOptions {
  /** Columns (by index) aligned to the right; numbers are right-aligned by default. */
  readonly alignRight?: readonly number[];
}

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: TableOptions = {},
): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...text.map((row) => displayWidth(row[i] ?? ''))));
  const right = (i: number, row: readonly Cell[] | undefined) =>
    options.alignRight?.includes(i) || (row !== undefined && typeof row[i] === 'number');
  const line = (cells: readonly string[], row?: readonly Cell[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(cell)));
        return right(i, row) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  // Headers follow their column: right-aligned over numbers.
  return [
    line(header, rows[0]),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...text.map((cells, r) => line(cells, rows[r])),
  ].join('\n');
}

/** Thousands separators and a fixed number of decimals, for readable figures. */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function formatUsd(value: number): string {
  return `$${formatNumber(value, 2)}`;
}

/** Strips ANSI colour codes so padding counts visible characters only. */
function displayWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
