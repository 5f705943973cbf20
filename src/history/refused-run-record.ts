import type { RunTrigger } from '../db/run-history.js';

/** A run that ended before it could sync, as the history records it. */
export interface RefusedRun {
  trigger: RunTrigger;
  mode: string;
  /** failed: the run could not start (no credential); skipped: another sync was running. */
  status: 'failed' | 'skipped';
  error: string;
  now: string;
  pid: number;
}
