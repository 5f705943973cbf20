import { errorMessage } from '../core/errors.js';
import type { CheckResult, DoctorCheck, DoctorContext } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;

export interface CheckReport extends CheckResult {
  id: string;
  title: string;
}

/**
 * Runs every check at once and returns the results in the checks' order, whatever order they
 * finish in. A check that throws or overruns its timeout is a failure, not a crash of doctor.
 */
export async function runChecks(checks: readonly DoctorCheck[], ctx: DoctorContext, options: { timeoutMs?: number } = {}): Promise<CheckReport[]> {
  return Promise.all(checks.map((check) => runOne(check, ctx, check.timeoutMs ?? options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS)));
}

async function runOne(check: DoctorCheck, ctx: DoctorContext, timeoutMs: number): Promise<CheckReport> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timed out'));
      resolve({
        status: 'failure',
        summary: `did not finish within ${Math.round(timeoutMs / 1000)} s`,
        fix: { text: 'Run doctor again; if this check keeps hanging, run it with FATHOM_SYNC_DEBUG=1 and report it.', commands: ['fathom-sync doctor --verbose'] },
      });
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([
      // Promise.resolve().then: a check that throws synchronously is caught like an async one.
      Promise.resolve().then(() => check.run(ctx, controller.signal)),
      timeout,
    ]);
    return { id: check.id, title: check.title, ...result };
  } catch (err) {
    return { id: check.id, title: check.title, status: 'failure', summary: `the check itself failed: ${errorMessage(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

export interface DoctorCounts {
  ok: number;
  warning: number;
  failure: number;
  skipped: number;
}

export function countStatuses(reports: readonly CheckReport[]): DoctorCounts {
  const counts: DoctorCounts = { ok: 0, warning: 0, failure: 0, skipped: 0 };
  for (const r of reports) counts[r.status] += 1;
  return counts;
}
