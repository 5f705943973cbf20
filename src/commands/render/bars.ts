/**
 * A small horizontal bar chart for a terminal: one row per label, a bar scaled to the largest
 * value with eighth-block characters, then the value. People would rather look than read.
 */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

export function renderBars(rows: readonly { label: string; value: number; text: string }[], options: { width?: number } = {}): string {
  const width = options.width ?? 30;
  const max = Math.max(0, ...rows.map((r) => r.value));
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  return rows.map((r) => `${r.label.padEnd(labelWidth)}  ${bar(r.value, max, width).padEnd(width)}  ${r.text}`.trimEnd()).join('\n');
}
