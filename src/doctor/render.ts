import { countStatuses, type CheckReport } from './run-checks.js';
import type { CheckStatus } from './types.js';

const SYMBOL: Record<CheckStatus, string> = { ok: '✓', warning: '!', failure: '✗', skipped: '-' };
const COLOR: Record<CheckStatus, [string, string]> = {
  ok: ['\u001b[32m', '\u001b[39m'],
  warning: ['\u001b[33m', '\u001b[39m'],
  failure: ['\u001b[31m', '\u001b[39m'],
  skipped: ['\u001b[2m', '\u001b[22m'],
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function summaryLine(reports: readonly CheckReport[]): string {
  const c = countStatuses(reports);
  const parts = [`${c.ok} ok`, plural(c.warning, 'warning'), plural(c.failure, 'failure')];
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  const verdict = c.failure > 0 ? 'Problems found' : c.warning > 0 ? 'Working, with warnings' : 'Everything looks good';
  return `${verdict}: ${parts.join(', ')}.`;
}

/** One screen: a line per check in a fixed order, details and the fix under each problem, a summary. */
export function renderText(reports: readonly CheckReport[], options: { color: boolean; verbose: boolean }): string {
  const width = Math.max(...reports.map((r) => r.title.length));
  const lines: string[] = [];
  for (const r of reports) {
    const [on, off] = options.color ? COLOR[r.status] : ['', ''];
    lines.push(`${on}${SYMBOL[r.status]}${off} ${r.title.padEnd(width)}  ${r.summary}`);
    const problem = r.status === 'warning' || r.status === 'failure';
    if ((problem || options.verbose) && r.details) for (const d of r.details) lines.push(`    ${d}`);
    if (problem && r.fix) {
      lines.push(`    fix: ${r.fix.text}`);
      for (const command of r.fix.commands) lines.push(`      $ ${command}`);
    }
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
