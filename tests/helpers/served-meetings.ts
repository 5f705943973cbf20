import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { MeetingSchema } from '../../src/api/schemas.js';
import { specIssues, specShape, type Shape } from './openapi.js';
import type { Exchange } from './recording-proxy.js';

/**
 * Accounting for contract runs: every meeting a server served (as the recording proxy saw it)
 * against what the CLI did with it (the database), by the rules of the run's mode. The spec is
 * the judge: a meeting the spec allows and that can be stored must be stored (when the mode
 * takes it); a skipped one must break the spec (or be unstorable) at a field its reason names.
 */

export interface ModeRule {
  mode: 'all' | 'last' | 'range';
  last?: number;
  /** ms, inclusive */
  since?: number;
  until?: number;
}

export interface ServedItem {
  page: number;
  item: Record<string, unknown>;
  /** The client's schema takes it (the engine's "accepted"). */
  accepted: boolean;
  /** Where it breaks the spec, and what cannot be stored. */
  problems: string[];
  outcome: 'stored' | 'skipped' | 'dropped';
}

export interface RunAccount {
  pages: number;
  served: ServedItem[];
  problems: string[];
}

const DATE_FIELDS = ['created_at', 'scheduled_start_time', 'scheduled_end_time', 'recording_start_time', 'recording_end_time'];

let meetingShape: Shape | undefined;

/** What the spec allows but cannot be stored (the ledger's refusals): JavaScript cannot hold it. */
export function unstorable(item: Record<string, unknown>): string[] {
  const out: string[] = [];
  const id = item.recording_id;
  if (typeof id === 'number' && Number.isInteger(id) && !Number.isSafeInteger(id)) out.push(`Meeting.recording_id: ${id} is past 2^53`);
  for (const f of DATE_FIELDS) {
    const v = item[f];
    if (typeof v === 'string' && Number.isNaN(Date.parse(v))) out.push(`Meeting.${f}: ${v} is no instant JavaScript can hold`);
  }
  return out;
}

function sameListing(stored: Record<string, unknown>, served: Record<string, unknown>, oauth: boolean): boolean {
  // With an API key the payload is stored verbatim, byte for byte.
  if (!oauth) return JSON.stringify(stored) === JSON.stringify(served);
  return Object.keys(served).every((k) => OAUTH_FILLED.has(k) || isDeepStrictEqual(stored[k], served[k]));
}

/** "Meeting.calendar_invitees[0].email: ..." -> "calendar_invitees.0.email", as the skip reason names it. */
function fieldOf(problem: string): string {
  return problem
    .split(':')[0]!
    .replace(/^Meeting\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1');
}

/** What /meetings leaves out under OAuth and the run fills in per recording (or adjusts). */
const OAUTH_FILLED = new Set(['transcript', 'default_summary', 'calendar_invitees']);

/**
 * `oauth`: the run fetched summary and transcript per recording, so a stored meeting is the
 * listed one plus that content (checked by the caller), and skip rows about that content are
 * the caller's to account for.
 */
export function accountRun(args: { rule: ModeRule; exchanges: Exchange[]; dbFile: string; runId: number; oauth?: boolean }): RunAccount {
  meetingShape ??= specShape('Meeting');
  const { rule } = args;
  const problems: string[] = [];
  const pages = args.exchanges.filter((e) => e.path === '/meetings');
  const served: ServedItem[] = [];
  const db = new Database(args.dbFile, { readonly: true });
  let stored: Map<number, unknown>;
  let skipped: { recording_id: number | null; reason: string }[];
  try {
    stored = new Map(
      (db.prepare('SELECT recording_id, raw_json FROM meetings').all() as { recording_id: number; raw_json: string }[]).map((r) => [r.recording_id, JSON.parse(r.raw_json)]),
    );
    skipped = db.prepare('SELECT recording_id, reason FROM skipped_items WHERE run_id = ?').all(args.runId) as typeof skipped;
    if (args.oauth) skipped = skipped.filter((r) => !r.reason.startsWith('summary or transcript not'));
  } finally {
    db.close();
  }

  let taken = 0;
  let doneAt = -1;
  pages.forEach((page, k) => {
    const body = page.json as { next_cursor?: string | null; items?: unknown[] };
    let olderThanWindow = false;
    for (const raw of body.items ?? []) {
      const item = raw as Record<string, unknown>;
      const accepted = MeetingSchema.safeParse(item).success;
      const found = [...specIssues(meetingShape!, item, 'Meeting'), ...unstorable(item)];
      let outcome: ServedItem['outcome'] = 'dropped';
      if (accepted) {
        const t = Date.parse(item.created_at as string);
        const inWindow = (rule.since === undefined || t >= rule.since) && (rule.until === undefined || t <= rule.until);
        if (rule.since !== undefined && t < rule.since) olderThanWindow = true;
        const room = rule.mode !== 'last' || taken < rule.last!;
        if (inWindow && room) {
          outcome = 'stored';
          taken += 1;
        }
      } else {
        outcome = 'skipped';
      }
      served.push({ page: k, item, accepted, problems: found, outcome });
    }
    const end = !body.next_cursor;
    const enough = rule.mode === 'last' && taken >= rule.last!;
    if (doneAt < 0 && (end || enough || olderThanWindow)) doneAt = k;
  });

  // Paging: the next page is asked for exactly until the mode is done.
  if (doneAt !== pages.length - 1) {
    problems.push(`the CLI asked for ${pages.length} pages; by the mode's rules it should have stopped after page ${doneAt + 1}`);
  }
  pages.forEach((page, k) => {
    const cursor = page.query.get('cursor');
    const expected = k === 0 ? null : ((pages[k - 1]!.json as { next_cursor?: string }).next_cursor ?? null);
    if (cursor !== expected) problems.push(`page ${k + 1} was asked with cursor ${JSON.stringify(cursor)}, not the previous page's ${JSON.stringify(expected)}`);
  });

  // Each item: refused only for a real violation, stored exactly as served.
  const lastStored = new Map<number, Record<string, unknown>>();
  for (const s of served) {
    const id = s.item.recording_id as number;
    if (s.problems.length === 0 && !s.accepted) problems.push(`recording ${id}: the spec allows it and it can be stored, but the client refused it`);
    if (s.outcome === 'stored') lastStored.set(id, s.item);
  }
  for (const [id, item] of lastStored) {
    if (!stored.has(id)) problems.push(`recording ${id}: served, taken by the mode, not in the database`);
    else if (!sameListing(stored.get(id) as Record<string, unknown>, item, args.oauth ?? false)) problems.push(`recording ${id}: raw_json differs from what was served`);
  }
  for (const id of stored.keys()) if (!lastStored.has(id)) problems.push(`recording ${id}: in the database but the mode should not have taken it`);
  const refused = served.filter((s) => s.outcome === 'skipped');
  if (skipped.length !== refused.length) problems.push(`${skipped.length} skipped_items rows for ${refused.length} refused items`);
  for (const s of refused) {
    const id = s.item.recording_id;
    const row = skipped.find((r) => r.recording_id === (Number.isSafeInteger(id) ? id : null) && s.problems.some((p) => r.reason.includes(fieldOf(p))));
    if (!row) problems.push(`recording ${String(id)}: refused, but no skip reason names one of its real problems (${s.problems.join('; ') || 'none'})`);
  }
  return { pages: pages.length, served, problems };
}
