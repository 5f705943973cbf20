import type { Db } from '../database.js';
import { toFtsMatch, type ParsedQuery } from '../../domain/search-query.js';
import { playbackUrl } from '../../domain/playback.js';
import { safeLine } from '../../core/safe-text.js';
import { meetingCondition, type MeetingFilter, type SqlCondition } from './filters.js';

/**
 * Ranked full-text search over what was said and written: titles, summaries, transcript lines
 * and action items, each in its own FTS5 index, ranked by bm25. Two steps keep it fast on large
 * databases: first the ids and scores of every match (counted for `total`, the best `limit`
 * kept), then titles, speakers and snippets for those few only.
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
  score: number;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
}

/** A hit as `search --json` and the MCP tool give it: no score, matches marked [like this]. */
export type PublicHit = Omit<SearchHit, 'score'>;

/** What `search --json` prints and `search_meetings` returns: the query, the total, the hits. */
export interface PublicSearchResult {
  query: string;
  total: number;
  hits: PublicHit[];
}

/** Markers around matched words in snippets (private-use characters, never in real text); renderers replace them. */
export const SNIPPET_OPEN = '\ue000';
export const SNIPPET_CLOSE = '\ue001';
const SNIPPET_WORDS = 16;

interface KindSql {
  /** Keys of matches (and their bm25 scores when `scored`): columns key, score. */
  matches: (where: SqlCondition, scored: boolean) => { sql: string; params: (string | number)[] };
  /** One hit's details by key. */
  detail: string;
}

/** FTS5 column filter around the user's (already quoted) expression. */
const inColumns = (columns: string, match: string) => `{${columns}} : (${match})`;

/**
 * The matches of one index. With no condition on the meeting (or speaker) the index alone answers:
 * joining every match to its row and meeting costs far more than the match itself when a word is
 * common (seconds over millions of transcript lines), and an index kept in step with its rows (in
 * the same transaction) has no match without one.
 */
function indexMatches(table: string, joins: string, expression: string, where: SqlCondition, extra: SqlCondition | null, scored: boolean) {
  const select = `SELECT f.rowid AS key${scored ? `, bm25(${table}) AS score` : ''} FROM ${table} f`;
  if (where.sql === '1' && extra === null) return { sql: `${select} WHERE ${table} MATCH ?`, params: [expression] };
  return {
    sql: `${select} ${joins} WHERE ${table} MATCH ? AND ${where.sql}${extra ? ` AND ${extra.sql}` : ''}`,
    params: [expression, ...where.params, ...(extra?.params ?? [])],
  };
}

function kindSql(kind: HitKind, match: string, speaker: string | undefined): KindSql {
  const snippet = (table: string, column: number) => `snippet(${table}, ${column}, '${SNIPPET_OPEN}', '${SNIPPET_CLOSE}', '…', ${SNIPPET_WORDS})`;
  switch (kind) {
    case 'title':
    case 'summary': {
      const columns = kind === 'title' ? 'title meeting_title' : 'summary_markdown';
      const expression = inColumns(columns, match);
      return {
        matches: (w, scored) => indexMatches('meetings_fts', 'JOIN meetings m ON m.recording_id = f.rowid', expression, w, null, scored),
        detail: `SELECT m.recording_id, m.title, m.created_at, NULL AS speaker_name, NULL AS timestamp, NULL AS start_seconds,
                        ${snippet('meetings_fts', kind === 'title' ? -1 : 2)} AS snippet, coalesce(m.share_url, m.url) AS url
                   FROM meetings_fts JOIN meetings m ON m.recording_id = meetings_fts.rowid
                  WHERE meetings_fts MATCH '${expression.replace(/'/g, "''")}' AND meetings_fts.rowid = ?`,
      };
    }
    case 'transcript': {
      const expression = inColumns('text', match);
      const bySpeaker = speaker !== undefined ? { sql: 's.speaker_name = ? COLLATE NOCASE', params: [speaker] } : null;
      return {
        matches: (w, scored) =>
          indexMatches('transcript_fts', 'JOIN transcript_segments s ON s.id = f.rowid JOIN meetings m ON m.recording_id = s.recording_id', expression, w, bySpeaker, scored),
        detail: `SELECT m.recording_id, m.title, m.created_at, s.speaker_name, s.timestamp, s.start_seconds,
                        ${snippet('transcript_fts', 0)} AS snippet, coalesce(m.share_url, m.url) AS url
                   FROM transcript_fts JOIN transcript_segments s ON s.id = transcript_fts.rowid JOIN meetings m ON m.recording_id = s.recording_id
                  WHERE transcript_fts MATCH '${expression.replace(/'/g, "''")}' AND transcript_fts.rowid = ?`,
      };
    }
    case 'action_item': {
      const expression = inColumns('description', match);
      return {
        matches: (w, scored) => indexMatches('action_items_fts', 'JOIN action_items ai ON ai.id = f.rowid JOIN meetings m ON m.recording_id = ai.recording_id', expression, w, null, scored),
        detail: `SELECT m.recording_id, m.title, m.created_at, ai.assignee_name AS speaker_name, ai.recording_timestamp AS timestamp, ai.start_seconds,
                        ${snippet('action_items_fts', 0)} AS snippet, coalesce(ai.playback_url, m.share_url, m.url) AS url
                   FROM action_items_fts JOIN action_items ai ON ai.id = action_items_fts.rowid
                   JOIN meetings m ON m.recording_id = ai.recording_id
                  WHERE action_items_fts MATCH '${expression.replace(/'/g, "''")}' AND action_items_fts.rowid = ?`,
      };
    }
  }
}

export function searchMeetings(db: Db, query: ParsedQuery, filter: SearchFilter, limit: number): SearchResult {
  const match = toFtsMatch(query);
  const where = meetingCondition(filter);
  // A speaker says transcript lines only: titles and summaries have no speaker.
  const kinds = (filter.kinds ?? [...HIT_KINDS]).filter((k) => filter.speaker === undefined || k === 'transcript');
  const parts = kinds.map((kind) => ({ kind, sql: kindSql(kind, match, filter.speaker) }));
  if (parts.length === 0) return { total: 0, hits: [] };
  // Counting needs no scores: the index counts its matches without reading them.
  const counted = parts.map((p) => p.sql.matches(where, false));
  const total = (db.prepare(`SELECT ${counted.map((m) => `(SELECT count(*) FROM (${m.sql}))`).join(' + ')} AS n`).get(...counted.flatMap((m) => m.params)) as { n: number }).n;
  if (total === 0 || limit <= 0) return { total, hits: [] };
  const matches = parts.map((p) => p.sql.matches(where, true));
  const union = matches.map((m, i) => `SELECT ${i} AS part, key, score FROM (${m.sql})`).join(' UNION ALL ');
  const best = db.prepare(`SELECT part, key, score FROM (${union}) ORDER BY score, part, key LIMIT ?`).all(...matches.flatMap((m) => m.params), limit) as { part: number; key: number; score: number }[];
  const details = parts.map((p) => db.prepare(p.sql.detail));
  const hits = best.map(({ part, key, score }) => {
    const row = details[part]!.get(key) as Omit<SearchHit, 'kind' | 'score' | 'url'> & { url: string | null };
    const kind = parts[part]!.kind;
    const url = kind === 'transcript' ? playbackUrl(row.url, row.start_seconds) : kind === 'action_item' && row.url && row.start_seconds !== null && !/[?&]timestamp=/.test(row.url) ? playbackUrl(row.url, row.start_seconds) : row.url;
    return { ...row, kind, url, score };
  });
  return { total, hits };
}

/** Replaces the index's match markers; the text around them is made harmless first. */
export function markSnippet(snippet: string, open: string, close: string): string {
  return safeLine(snippet).split(SNIPPET_OPEN).join(open).split(SNIPPET_CLOSE).join(close);
}

export function publicSearchResult(query: string, result: SearchResult): PublicSearchResult {
  return { query, total: result.total, hits: result.hits.map(({ score: _score, ...hit }) => ({ ...hit, snippet: markSnippet(hit.snippet, '[', ']') })) };
}
