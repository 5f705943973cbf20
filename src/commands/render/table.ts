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

function cut(text: string, max: number | undefined): string {
  const chars = [...text];
  return max !== undefined && chars.length > max ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : text;
}

export function renderTable(columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const cells = rows.map((row) => columns.map((c, i) => cut(safeLine(String(row[i] ?? '')), c.max)));
  const widths = columns.map((c, i) => Math.max([...c.header].length, ...cells.map((r) => [...r[i]!].length)));
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - [...text].length);
    return columns[i]!.align === 'right' ? gap + text : text + gap;
  };
  const line = (texts: string[]) => texts.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}
