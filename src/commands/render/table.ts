import { safeLine } from '../../core/safe-text.js';

/**
 * A plain fixed-width table: a header and rows, columns padded to their widest cell (counted in
 * characters), right-aligned where asked. Cells are made harmless one-liners, and cut to `max`
 * characters with an ellipsis so one long title cannot push every row off the screen.
 */
export interface Column {
  header: string;
  align?: 'left' | 'right';
  max?: number;
}

/** Characters a terminal draws two columns wide (East Asian wide and full-width forms, most emoji). */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{1fa70}-\u{1faff}\u{20000}-\u{3fffd}]/u;
/** Characters that take no column of their own (combining marks, zero-width joiners, variation selectors). */
const ZERO = /[\p{M}\u200b-\u200f\ufe00-\ufe0f]/u;

/** How many terminal columns a string takes, so columns line up with CJK names and emoji too. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

function cut(text: string, max: number | undefined): string {
  if (max === undefined || displayWidth(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > max - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export function renderTable(columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const cells = rows.map((row) => columns.map((c, i) => cut(safeLine(String(row[i] ?? '')), c.max)));
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map((r) => displayWidth(r[i]!))));
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - displayWidth(text));
    return columns[i]!.align === 'right' ? gap + text : text + gap;
  };
  const line = (texts: string[]) => texts.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
