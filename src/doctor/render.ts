import { renderFix, type Tone } from '../core/output.js';
import { countStatuses, type CheckReport } from './run-checks.js';
import type { CheckStatus } from './types.js';

const SYMBOL: Record<CheckStatus, string> = { ok: '✓', warning: '!', failure: '✗', skipped: '-' };
const TONE: Record<CheckStatus, Tone> = { ok: 'ok', warning: 'warning', failure: 'failure', skipped: 'dim' };

/** Colours a symbol; the output host's paint, or none. */
export type Paint = (tone: Tone, text: string) => string;
const plain: Paint = (_tone, text) => text;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summaryLine(reports: readonly CheckReport[]): string {
  const c = countStatuses(reports);
  const parts = [`${c.ok} ok`, plural(c.warning, 'warning'), plural(c.failure, 'failure')];
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  const verdict = c.failure > 0 ? 'Problems found' : c.warning > 0 ? 'Working, with warnings' : 'Everything looks good';
  return `${verdict}: ${parts.join(', ')}.`;
}

/** One screen: a line per check in a fixed order, details and the fix under each problem, a summary. */
export function renderText(reports: readonly CheckReport[], options: { paint?: Paint; verbose: boolean }): string {
  const paint = options.paint ?? plain;
  const width = Math.max(...reports.map((r) => r.title.length));
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${paint(TONE[r.status], SYMBOL[r.status])} ${r.title.padEnd(width)}  ${r.summary}`);
    const problem = r.status === 'warning' || r.status === 'failure';
    if ((problem || options.verbose) && r.details) for (const d of r.details) lines.push(`    ${d}`);
    if (problem && r.fix) lines.push(renderFix(r.fix, '    ').replace(/\n$/, ''));
  }
  lines.push('');
  lines.push(summaryLine(reports));
  return lines.join('\n');
}

export function renderJson(reports: readonly CheckReport[]): object {
  const counts = countStatuses(reports);
  return {
    ok: counts.failure === 0,
    counts,
    checks: reports.map((r) => ({
      id: r.id,
      title: r.title,
      status: r.status,
      summary: r.summary,
      details: r.details ?? [],
      fix: r.fix ?? null,
    })),
  };
}
