import type { Db } from '../db.js';
import { safeLine } from '../../core/safe-text.js';
import { toFtsMatch, type ParsedQuery } from '../../domain/search-query.js';
import { TextMatcher, snippetOf, type TextMatch } from '../../domain/text-match.js';
import { playbackUrl } from '../../domain/playback.js';
import { meetingCondition, type MeetingFilter, type SqlCondition } from './filters.js';

/**
 * Ranked full-text search over what was said and written: titles, summaries, action items and
 * transcript lines.
 *
 * Ranking is bm25 over whole meetings (meeting_search_fts: the title weighs most, then the
 * summary, the action items and the transcript), which stays fast however common the words: a
 * word in every tenth line is still one row per meeting. Inside the best meetings the matching
 * title, summary, action items and lines are picked (by the same language, src/domain/text-match)
 * and the hits are dealt out best meeting first, one per meeting in turn, so twenty hits show
 * twenty meetings rather than twenty lines of one. `total` counts every matching title, summary,
 * action item and line (the per-line indexes count them). With --speaker the lines of that speaker
 * are ranked by bm25 on their own.
 */

export type HitKind = 'title' | 'summary' | 'transcript' | 'action_item';
export const HIT_KINDS: readonly HitKind[] = ['title', 'summary', 'transcript', 'action_item'];

export interface SearchFilter extends MeetingFilter {
  /** Only transcript lines of this speaker (display name, case-insensitive). */
  speaker?: string;
  /** Where to look; all four by default. */
  kinds?: HitKind[];
}

export interface SearchHit {
  recording_id: number;
  title: string | null;
  created_at: string;
  kind: HitKind;
  speaker_name: string | null;
  timestamp: string | null;
  start_seconds: number | null;
  /** The matching text around the hit, matches between SNIPPET_OPEN and SNIPPET_CLOSE. */
  snippet: string;
  /** Where the hit can be seen: the recording (at the moment, for transcript lines and action items). */
  url: string | null;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
}

/** Markers around matched words in snippets (private-use characters, never in real text); renderers replace them. */
export const SNIPPET_OPEN = '\ue000';
export const SNIPPET_CLOSE = '\ue001';

/** bm25 weights of meeting_search_fts's columns: title, summary, actions, transcript. */
const WEIGHTS = '10.0, 4.0, 3.0, 1.0';
const MEETING_COLUMN: Record<HitKind, string> = { title: 'title', summary: 'summary', action_item: 'actions', transcript: 'transcript' };
/** Meetings ranked per query to the index; more are asked for while hits are short. */
const MEETING_PAGE = 50;

/** FTS5 column filter around the (already quoted) expression. */
const inColumns = (columns: string[], match: string) => `{${columns.join(' ')}} : (${match})`;

export function searchMeetings(db: Db, query: ParsedQuery, filter: SearchFilter, limit: number): SearchResult {
  const match = toFtsMatch(query);
  // A speaker means transcript lines only: titles and summaries have no speaker.
  const kinds = (filter.kinds ?? [...HIT_KINDS]).filter((k) => filter.speaker === undefined || k === 'transcript');
  if (kinds.length === 0) return { total: 0, hits: [] };
  const where = meetingCondition(filter);
  const total = kinds.reduce((n, kind) => n + countHits(db, kind, match, where, filter), 0);
  if (total === 0 || limit <= 0) return { total, hits: [] };
  const hits = filter.speaker !== undefined ? speakerLines(db, match, where, filter.speaker, new TextMatcher(query), limit) : rankedHits(db, query, match, kinds, where, limit);
  return { total, hits };
}

const filtered = (where: SqlCondition, filter: SearchFilter) => where.sql !== '1' || filter.speaker !== undefined;

/** Every matching title, summary, action item or line of one kind, counted in its own index. */
function countHits(db: Db, kind: HitKind, match: string, where: SqlCondition, filter: SearchFilter): number {
  const joined = filtered(where, filter);
  const count = (sql: string, params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
  switch (kind) {
    case 'title':
    case 'summary': {
      const expression = inColumns(kind === 'title' ? ['title', 'meeting_title'] : ['summary_markdown'], match);
      return joined
        ? count(`SELECT count(*) AS n FROM meetings_fts f JOIN meetings m ON m.recording_id = f.rowid WHERE meetings_fts MATCH ? AND ${where.sql}`, [expression, ...where.params])
        : count('SELECT count(*) AS n FROM meetings_fts WHERE meetings_fts MATCH ?', [expression]);
    }
    case 'transcript': {
      const expression = inColumns(['text'], match);
      if (!joined) return count('SELECT count(*) AS n FROM transcript_fts WHERE transcript_fts MATCH ?', [expression]);
      return count(
        `SELECT count(*) AS n FROM transcript_fts f JOIN transcript_segments s ON s.id = f.rowid JOIN meetings m ON m.recording_id = s.recording_id
          WHERE transcript_fts MATCH ? AND ${where.sql}${filter.speaker !== undefined ? ' AND s.speaker_name = ? COLLATE NOCASE' : ''}`,
        [expression, ...where.params, ...(filter.speaker !== undefined ? [filter.speaker] : [])],
      );
    }
    case 'action_item': {
      const expression = inColumns(['description'], match);
      return joined
        ? count(`SELECT count(*) AS n FROM action_items_fts f JOIN action_items ai ON ai.id = f.rowid JOIN meetings m ON m.recording_id = ai.recording_id WHERE action_items_fts MATCH ? AND ${where.sql}`, [
            expression,
            ...where.params,
          ])
        : count('SELECT count(*) AS n FROM action_items_fts WHERE action_items_fts MATCH ?', [expression]);
    }
  }
}

interface MeetingRow {
  recording_id: number;
  title: string | null;
  meeting_title: string | null;
  created_at: string;
  summary_markdown: string | null;
  url: string | null;
}

/** Meetings by bm25, then each meeting's hits, dealt out one per meeting in turn. */
function rankedHits(db: Db, query: ParsedQuery, match: string, kinds: HitKind[], where: SqlCondition, limit: number): SearchHit[] {
  const matcher = new TextMatcher(query);
  // Without a filter the index alone answers (joining every match to meetings costs more than the ranking).
  const ranked = db.prepare(
    where.sql === '1'
      ? `SELECT rowid AS id FROM meeting_search_fts WHERE meeting_search_fts MATCH ? ORDER BY bm25(meeting_search_fts, ${WEIGHTS}), rowid DESC LIMIT ? OFFSET ?`
      : `SELECT f.rowid AS id FROM meeting_search_fts f JOIN meetings m ON m.recording_id = f.rowid
          WHERE meeting_search_fts MATCH ? AND ${where.sql}
          ORDER BY bm25(meeting_search_fts, ${WEIGHTS}), f.rowid DESC LIMIT ? OFFSET ?`,
  );
  const expression = inColumns(kinds.map((k) => MEETING_COLUMN[k]), match);
  const meeting = db.prepare('SELECT recording_id, title, meeting_title, created_at, summary_markdown, coalesce(share_url, url) AS url FROM meetings WHERE recording_id = ?');
  const actions = db.prepare('SELECT description, assignee_name, recording_timestamp, start_seconds, playback_url FROM action_items WHERE recording_id = ? ORDER BY seq');
  const lines = db.prepare('SELECT speaker_name, text, timestamp, start_seconds FROM transcript_segments WHERE recording_id = ? ORDER BY seq');

  const perMeeting: LazyHit[][] = [];
  let available = 0;
  // Enough when every hit slot can be filled from meetings at least as good as any not read yet.
  const enough = () => perMeeting.length >= limit && available >= limit;
  for (let offset = 0; !enough(); offset += MEETING_PAGE) {
    const ids = (ranked.all(expression, ...where.params, MEETING_PAGE, offset) as { id: number }[]).map((r) => r.id);
    for (const id of ids) {
      const m = meeting.get(id) as MeetingRow;
      const found = meetingHits(m, kinds, matcher, limit, {
        actions: () => actions.all(id) as ActionRow[],
        lines: () => lines.all(id) as LineRow[],
      });
      if (found.length) {
        perMeeting.push(found);
        available += found.length;
      }
      if (enough()) break;
    }
    if (ids.length < MEETING_PAGE) break;
  }
  const hits: LazyHit[] = [];
  for (let depth = 0; hits.length < limit; depth++) {
    let any = false;
    for (const list of perMeeting) {
      const hit = list[depth];
      if (!hit) continue;
      any = true;
      hits.push(hit);
      if (hits.length === limit) break;
    }
    if (!any) break;
  }
  // Snippets only for the hits shown: a common word matches hundreds of lines in the best meetings alone.
  return hits.map(({ text, found, ...hit }) => ({ ...hit, snippet: snippetOf(text, found, SNIPPET_OPEN, SNIPPET_CLOSE) }));
}

/** A hit before its snippet is made. */
type LazyHit = Omit<SearchHit, 'snippet'> & { text: string; found: TextMatch };

interface ActionRow {
  description: string | null;
  assignee_name: string | null;
  recording_timestamp: string | null;
  start_seconds: number | null;
  playback_url: string | null;
}

interface LineRow {
  speaker_name: string | null;
  text: string;
  timestamp: string | null;
  start_seconds: number | null;
}

/** One meeting's hits: its title, its summary, its action items, then its lines, best first. */
function meetingHits(m: MeetingRow, kinds: HitKind[], matcher: TextMatcher, limit: number, load: { actions: () => ActionRow[]; lines: () => LineRow[] }): LazyHit[] {
  const base = { recording_id: m.recording_id, title: m.title, created_at: m.created_at };
  const hit = (kind: HitKind, text: string, found: TextMatch, extra: Partial<SearchHit> = {}): LazyHit => ({
    ...base,
    kind,
    speaker_name: null,
    timestamp: null,
    start_seconds: null,
    url: m.url,
    text,
    found,
    ...extra,
  });
  const out: LazyHit[] = [];
  if (kinds.includes('title')) {
    for (const text of [m.title, m.meeting_title]) {
      const found = matcher.match(text);
      if (found) {
        out.push(hit('title', text!, found));
        break; // one title hit per meeting, as the index counts it
      }
    }
  }
  if (kinds.includes('summary')) {
    const found = matcher.match(m.summary_markdown);
    if (found) out.push(hit('summary', m.summary_markdown!, found));
  }
  if (kinds.includes('action_item')) {
    for (const a of load.actions()) {
      const found = matcher.match(a.description);
      if (!found) continue;
      const url = a.playback_url ?? playbackUrl(m.url, a.start_seconds);
      out.push(hit('action_item', a.description!, found, { speaker_name: a.assignee_name, timestamp: a.recording_timestamp, start_seconds: a.start_seconds, url }));
    }
  }
  if (kinds.includes('transcript')) {
    const matched: { at: number; score: number; line: LineRow; found: TextMatch }[] = [];
    load.lines().forEach((line, at) => {
      const found = matcher.match(line.text);
      // More of the query in a shorter line reads as the better hit (bm25's idea, within one meeting).
      if (found) matched.push({ at, score: found.spans.length / Math.sqrt(Math.max(1, found.tokens.length)), line, found });
    });
    matched.sort((a, b) => b.score - a.score || a.at - b.at);
    // Hits are dealt out one per meeting in turn: no meeting can show more than `limit` of them.
    for (const { line, found } of matched.slice(0, limit)) {
      out.push(hit('transcript', line.text, found, { speaker_name: line.speaker_name, timestamp: line.timestamp, start_seconds: line.start_seconds, url: playbackUrl(m.url, line.start_seconds) }));
    }
  }
  return out;
}

/** --speaker: that speaker's matching lines, ranked by bm25 over lines. */
function speakerLines(db: Db, match: string, where: SqlCondition, speaker: string, matcher: TextMatcher, limit: number): SearchHit[] {
  const rows = db
    .prepare(
      `SELECT m.recording_id, m.title, m.created_at, s.speaker_name, s.text, s.timestamp, s.start_seconds, coalesce(m.share_url, m.url) AS url
         FROM transcript_fts f JOIN transcript_segments s ON s.id = f.rowid JOIN meetings m ON m.recording_id = s.recording_id
        WHERE transcript_fts MATCH ? AND ${where.sql} AND s.speaker_name = ? COLLATE NOCASE
        ORDER BY bm25(transcript_fts), m.created_at DESC, s.id LIMIT ?`,
    )
    .all(inColumns(['text'], match), ...where.params, speaker, limit) as (LineRow & { recording_id: number; title: string | null; created_at: string; url: string | null })[];
  return rows.map((r) => {
    const found = matcher.match(r.text);
    return {
      recording_id: r.recording_id,
      title: r.title,
      created_at: r.created_at,
      kind: 'transcript',
      speaker_name: r.speaker_name,
      timestamp: r.timestamp,
      start_seconds: r.start_seconds,
      snippet: found ? snippetOf(r.text, found, SNIPPET_OPEN, SNIPPET_CLOSE) : r.text,
      url: playbackUrl(r.url, r.start_seconds),
    };
  });
}

/** A hit as `search --json` and the MCP tool give it: matches marked [like this]. */
export type PublicHit = SearchHit;

/** What `search --json` prints and `search_meetings` returns: the query, the total, the hits. */
export interface PublicSearchResult {
  query: string;
  total: number;
  hits: PublicHit[];
}

/** Replaces the match markers; the text around them is made harmless first. */
export function markSnippet(snippet: string, open: string, close: string): string {
  return safeLine(snippet).split(SNIPPET_OPEN).join(open).split(SNIPPET_CLOSE).join(close);
}

export function publicSearchResult(query: string, result: SearchResult): PublicSearchResult {
  return { query, total: result.total, hits: result.hits.map((hit) => ({ ...hit, snippet: markSnippet(hit.snippet, '[', ']') })) };
}
