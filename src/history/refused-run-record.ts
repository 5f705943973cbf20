/** A run that ended before it could sync, as the history records it (the stores' FinishedRun). */
export type { FinishedRun as RefusedRun } from '../db/sync-target.js';
