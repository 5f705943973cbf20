import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { SyncTarget } from '../db/sync-target.js';
import type { RefusedRun } from './refused-run-record.js';

/**
 * Runs the database could not take when they ended, because another program held it for writing:
 * one JSON line each in the state directory, written by the next run that can write (as skipped,
 * with the reason), so `log` and `doctor` show the hourly job meeting a locked database and not a
 * silent gap. The state directory is the one the run lock lives in, so it is there and ours.
 */

const FILE = 'unrecorded-runs.jsonl';

export function rememberUnrecordedRun(stateDir: string, run: RefusedRun, onProblem: (message: string) => void): void {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.appendFileSync(path.join(stateDir, FILE), `${JSON.stringify(run)}\n`, { mode: 0o600 });
  } catch (err) {
    onProblem(`could not keep this run for the history: ${errorMessage(err)}`);
  }
}

function parse(line: string): RefusedRun | null {
  try {
    const run = JSON.parse(line) as Partial<RefusedRun>;
    const ok = typeof run.trigger === 'string' && typeof run.mode === 'string' && typeof run.error === 'string' && typeof run.now === 'string' && typeof run.pid === 'number';
    return ok && (run.status === 'skipped' || run.status === 'failed') ? (run as RefusedRun) : null;
  } catch {
    return null;
  }
}

/**
 * Writes the remembered runs into the history (called under the run lock, with the database
 * open for writing). The file is renamed first, so a run remembered meanwhile starts a new one;
 * if the database refuses (still locked), the lines go back and the error is thrown.
 */
export async function recordUnrecordedRuns(stateDir: string, store: Pick<SyncTarget, 'recordUnrecordedRun'>, onProblem: (message: string) => void): Promise<number> {
  const file = path.join(stateDir, FILE);
  const taken = `${file}.${process.pid}`;
  try {
    fs.renameSync(file, taken);
  } catch {
    return 0; // none
  }
  const text = fs.readFileSync(taken, 'utf8');
  const runs = text.split('\n').filter(Boolean).map(parse);
  try {
    for (const run of runs) if (run) await store.recordUnrecordedRun(run);
  } catch (err) {
    fs.appendFileSync(file, text, { mode: 0o600 });
    fs.rmSync(taken, { force: true });
    throw err;
  }
  fs.rmSync(taken, { force: true });
  const unreadable = runs.filter((r) => r === null).length;
  if (unreadable > 0) onProblem(`${unreadable} unreadable line(s) in ${file} were dropped`);
  return runs.length - unreadable;
}
