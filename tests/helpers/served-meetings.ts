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
 * Prism's mock ignores the time filters, so most items a slice gets are outside it: the
 * accounting says which the CLI had to take.
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

/** The created_at slice a /meetings request asked for: its query bounds less the second either side the client adds. */
export interface ServedSlice {
  start: number | null;
  end: number | null;
}

/** One cursor chain: the pages of one query, from the request without a cursor to the last one. */
interface Chain {
  slice: ServedSlice;
  pages: { index: number; exchange: Exchange }[];
}

function sliceOf(query: URLSearchParams): ServedSlice {
  const after = query.get('created_after');
  const before = query.get('created_before');
  return { start: after === null ? null : Date.parse(after) + 1000, end: before === null ? null : Date.parse(before) - 1000 };
}

/**
 * The rules every mode follows now that no order of pages is trusted (README: whatever order
 * Fathom lists meetings in): the run is a series of cursor chains, each a time slice (its
 * created_after / created_before, widened a second) read to its last page; the slices tile the
 * window from the top down; a meeting is taken when it is inside the slice that served it (and the
 * mode's window), and --last N takes the N newest of those (created_at, then recording_id).
 *
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

  // The chains, in the order they were asked.
  const chains: Chain[] = [];
  pages.forEach((exchange, index) => {
    const cursor = exchange.query.get('cursor');
    if (cursor === null) chains.push({ slice: sliceOf(exchange.query), pages: [] });
    const chain = chains.at(-1);
    if (!chain) {
      problems.push(`page ${index + 1} was asked with a cursor before any first page`);
      return;
    }
    const previous = chain.pages.at(-1)?.exchange;
    const expected = previous ? ((previous.json as { next_cursor?: string | null }).next_cursor ?? null) : null;
    if (cursor !== expected) problems.push(`page ${index + 1} was asked with cursor ${JSON.stringify(cursor)}, not the previous page's ${JSON.stringify(expected)}`);
    chain.pages.push({ index, exchange });
  });

  // Paging: every chain is read to its last page, and no further.
  for (const [k, chain] of chains.entries()) {
    chain.pages.forEach(({ exchange }, j) => {
      const last = !(exchange.json as { next_cursor?: string | null }).next_cursor;
      if (last && j < chain.pages.length - 1) problems.push(`slice ${k + 1}: the CLI asked for a page after the last one`);
      if (!last && j === chain.pages.length - 1) problems.push(`slice ${k + 1}: the CLI stopped before the last page`);
    });
  }
  // The slices tile the window from the top down.
  const window = { start: rule.since ?? null, end: rule.until ?? null };
  chains.forEach((chain, k) => {
    const above = chains[k - 1]?.slice;
    // A second query of the same slice (recorders outside the organisation) repeats its bounds.
    if (above && above.start === chain.slice.start && above.end === chain.slice.end) return;
    const top = above ? above.start : window.end;
    if (chain.slice.end !== top) problems.push(`slice ${k + 1} ends at ${chain.slice.end}, not where the one above starts (${top})`);
    if (window.start !== null && (chain.slice.start === null || chain.slice.start < window.start)) problems.push(`slice ${k + 1} reaches before the window`);
  });
  const bottom = chains.at(-1)?.slice.start;
  if (rule.mode !== 'last' && chains.length > 0 && bottom !== window.start) problems.push(`the slices stop at ${bottom}, not at the window's start ${window.start}`);

  // Each item: refused for a real violation, or taken when inside its slice (and the mode's window).
  const inside = (t: number, s: ServedSlice) => (s.start === null || t >= s.start) && (s.end === null || t <= s.end);
  const taken: ServedItem[] = [];
  const seen = new Set<number>();
  for (const chain of chains) {
    for (const { index, exchange } of chain.pages) {
      for (const raw of (exchange.json as { items?: unknown[] }).items ?? []) {
        const item = raw as Record<string, unknown>;
        const accepted = MeetingSchema.safeParse(item).success;
        const found = [...specIssues(meetingShape!, item, 'Meeting'), ...unstorable(item)];
        const entry: ServedItem = { page: index, item, accepted, problems: found, outcome: accepted ? 'dropped' : 'skipped' };
        served.push(entry);
        if (!accepted) continue;
        const t = Date.parse(item.created_at as string);
        const id = item.recording_id as number;
        if (inside(t, chain.slice) && inside(t, window) && !seen.has(id)) {
          seen.add(id);
          taken.push(entry);
        }
      }
    }
  }
  const newestFirst = (a: ServedItem, b: ServedItem) =>
    Date.parse(b.item.created_at as string) - Date.parse(a.item.created_at as string) || (b.item.recording_id as number) - (a.item.recording_id as number);
  const kept = rule.mode === 'last' ? [...taken].sort(newestFirst).slice(0, rule.last!) : taken;
  for (const entry of kept) entry.outcome = 'stored';

  const storedServed = new Map<number, Record<string, unknown>>();
  for (const s of served) {
    const id = s.item.recording_id as number;
    if (s.problems.length === 0 && !s.accepted) problems.push(`recording ${id}: the spec allows it and it can be stored, but the client refused it`);
    if (s.outcome === 'stored') storedServed.set(id, s.item);
  }
  for (const [id, item] of storedServed) {
    if (!stored.has(id)) problems.push(`recording ${id}: served, taken by the mode, not in the database`);
    else if (!sameListing(stored.get(id) as Record<string, unknown>, item, args.oauth ?? false)) problems.push(`recording ${id}: raw_json differs from what was served`);
  }
  for (const id of stored.keys()) if (!storedServed.has(id)) problems.push(`recording ${id}: in the database but the mode should not have taken it`);
  const refused = served.filter((s) => s.outcome === 'skipped');
  if (skipped.length !== refused.length) problems.push(`${skipped.length} skipped_items rows for ${refused.length} refused items`);
  for (const s of refused) {
    const id = s.item.recording_id;
    const row = skipped.find((r) => r.recording_id === (Number.isSafeInteger(id) ? id : null) && s.problems.some((p) => r.reason.includes(fieldOf(p))));
    if (!row) problems.push(`recording ${String(id)}: refused, but no skip reason names one of its real problems (${s.problems.join('; ') || 'none'})`);
  }
  return { pages: pages.length, served, problems };
}
