/**
 * The pure parts of `db copy` (src/transfer/db-copy.ts): the tables in the order they are copied
 * and reported, how meetings are grouped into batches, and what the verification concludes.
 */

/** Every table of the schema, in the order `db copy` reports them (PostgreSQL's meeting_search is built, not copied). */
export const COPY_TABLES = [
  'meetings',
  'meeting_attendees',
  'transcript_segments',
  'action_items',
  'highlights',
  'contacts',
  'talk_time',
  'talk_time_speakers',
  'teams',
  'team_members',
  'account_meetings',
  'sync_state',
  'sync_runs',
  'skipped_items',
] as const;
export type CopyTable = (typeof COPY_TABLES)[number];

/** The tables whose rows belong to one meeting and are copied with it, in its transaction. */
export const MEETING_CHILD_TABLES = ['meeting_attendees', 'transcript_segments', 'action_items', 'highlights', 'talk_time', 'talk_time_speakers'] as const;
export type MeetingChildTable = (typeof MEETING_CHILD_TABLES)[number];

/** The figures of one table after a copy. */
export interface TableCount {
  table: CopyTable;
  /** Rows in the SQLite database. */
  source_rows: number;
  /** Rows this copy wrote (inserted, or merged into a row that changed); 0 on a rerun that had nothing left to do. */
  copied: number;
  /** Source rows found in the target, by their key. */
  present: number;
  /**
   * Source rows the target does not hold because it keeps a newer version of their meeting (the
   * meeting was synced into PostgreSQL more recently than into SQLite): its own rows stand for them.
   */
  superseded: number;
}

/** Source rows neither present nor superseded: what the verification fails on. */
export function missingRows(count: TableCount): number {
  return Math.max(0, count.source_rows - count.present - count.superseded);
}

/** The tables the target lacks rows of, with how many. */
export function shortfalls(counts: readonly TableCount[]): { table: CopyTable; missing: number; source_rows: number }[] {
  return counts.filter((c) => missingRows(c) > 0).map((c) => ({ table: c.table, missing: missingRows(c), source_rows: c.source_rows }));
}

/**
 * Consecutive groups of `items`, each weighing at most `budget` in all (a single heavier item
 * makes a group of its own): meetings by their row count, so a transaction holds about `budget`
 * rows whatever the length of the transcripts.
 */
export function groupByWeight<T>(items: readonly T[], weight: (item: T) => number, budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let sum = 0;
  for (const item of items) {
    const w = Math.max(1, weight(item));
    if (current.length > 0 && sum + w > budget) {
      groups.push(current);
      current = [];
      sum = 0;
    }
    current.push(item);
    sum += w;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Rows with one row per key (the first one kept): SQLite's NOCASE folds ASCII letters only, while
 * PostgreSQL's unique lower(email) folds every letter, and one statement may touch a row once.
 */
export function firstPerKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const k = key(row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

