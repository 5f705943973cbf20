import type { SkippedItem } from '../api/schemas.js';
import type { BackfillChange, PendingBackfill } from '../domain/backfill.js';
import type { RunCounters } from '../domain/counters.js';
import type { IncomingMeeting, PageWriteResult } from './meeting-store.js';
import type { RunStatus, RunTrigger } from './run-history.js';
import type { SyncState } from './sync-state.js';

/**
 * What the sync job needs from a storage target, for one account: SQLite (SyncStore, synchronous)
 * and PostgreSQL (PgSyncStore, asynchronous) both implement it, so every call is awaited. The
 * meanings are SyncStore's (src/db/sync-store.ts), where each method is documented.
 */

export type Awaitable<T> = T | Promise<T>;

/** A run as it starts: what it reads, and which process runs it. */
export interface RunStart {
  trigger: RunTrigger;
  mode: string;
  windowStart: string | null;
  windowEnd: string | null;
  filters: Record<string, unknown>;
  pid: number;
}

/** Which process this is, and whether another one still exists (the lock's LockSystem is one). */
export interface ProcessProbe {
  pid: number;
  isProcessAlive(pid: number): boolean;
}

export interface PageCommit {
  runId: number;
  meetings: IncomingMeeting[];
  skipped: SkippedItem[];
  counters: RunCounters;
  now: string;
  /** When the content of these meetings was asked for (the run's "now"; default `now`). */
  contentAskedAt?: string;
  bookmark?: string;
  backfill?: BackfillChange[];
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running' | 'skipped'>;
  counters: RunCounters;
  error?: string;
  now: string;
  bookmark?: string;
}

/** A run that ended before it could sync, as the history records it. */
export interface FinishedRun {
  trigger: RunTrigger;
  mode: string;
  /** failed: the run could not start (no credential); skipped: another sync was running. */
  status: 'failed' | 'skipped';
  error: string;
  now: string;
  pid: number;
}

export interface SyncTarget {
  readonly account: string;
  state(): Awaitable<SyncState>;
  pendingBackfill(): Awaitable<PendingBackfill | null>;
  countCreatedBetween(from: string, to: string): Awaitable<number>;
  oldestIncompleteSince(since: string, due: { tries: number; retryCutoff: string }): Awaitable<string | null>;
  contentRetryDue(recordingId: number, now: number): Awaitable<boolean>;
  storedContent(recordingId: number, options?: { includeIncomplete?: boolean }): Awaitable<{ default_summary: unknown; transcript: unknown } | null>;
  markInterruptedRuns(now: string, processes: ProcessProbe): Awaitable<number>;
  startRun(run: RunStart, now: string): Awaitable<number>;
  commitPage(args: PageCommit): Awaitable<PageWriteResult>;
  finishRun(runId: number, outcome: RunOutcome): Awaitable<void>;
  recordRefusedRun(run: FinishedRun): Awaitable<number>;
  recordUnrecordedRun(run: FinishedRun): Awaitable<number>;
}

export interface TeamMemberRecord {
  team: string;
  email: string;
  name: string | null;
  created_at: string | null;
}

/** Fathom's teams and members (TeamStore in SQLite). */
export interface TeamTarget {
  syncedAt(): Awaitable<string | null>;
  replace(teams: { name: string; created_at: string | null }[], members: TeamMemberRecord[], now: string): Awaitable<{ membersChanged: boolean }>;
}
