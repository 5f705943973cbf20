import type { AppContext } from '../core/context.js';
import { accountScope, openReaderFor } from './read-scope.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { safeLine } from '../core/safe-text.js';
import { parseSearchQuery } from '../domain/search-query.js';
import { HIT_KINDS, markSnippet, publicSearchResult, searchMeetings, type HitKind, type SearchHit } from '../db/read/search.js';
import { parseLimit, parseMeetingFilter, type MeetingFilterFlags } from '../domain/meeting-filter.js';

export interface SearchFlags extends MeetingFilterFlags {
  speaker?: string;
  in?: string;
  limit?: string;
  json?: boolean;
}

export const DEFAULT_SEARCH_LIMIT = 20;

const KIND_NAMES: Record<string, HitKind> = { title: 'title', titles: 'title', summary: 'summary', summaries: 'summary', transcript: 'transcript', transcripts: 'transcript', actions: 'action_item', action: 'action_item', action_items: 'action_item' };

export function parseKinds(value: string | undefined): HitKind[] | undefined {
  if (value === undefined) return undefined;
  const kinds = value.split(',').map((k) => k.trim().toLowerCase()).filter(Boolean);
  if (kinds.length === 0) throw new UsageError('--in needs one or more of title, summary, transcript, actions');
  return [...new Set(kinds.map((k) => {
    const kind = KIND_NAMES[k];
    if (!kind) throw new UsageError(`--in "${k}": use title, summary, transcript or actions (comma-separated)`);
    return kind;
  }))].sort((a, b) => HIT_KINDS.indexOf(a) - HIT_KINDS.indexOf(b));
}

/** `fathom-sync search QUERY`: ranked hits in titles, summaries, transcript lines and action items. */
export async function searchCommand(query: string, flags: SearchFlags, ctx: AppContext): Promise<number> {
  const parsed = parseSearchQuery(query);
  const filter = { ...parseMeetingFilter(flags), ...accountScope(ctx), ...(flags.speaker !== undefined ? { speaker: flags.speaker.trim() } : {}) };
  const kinds = parseKinds(flags.in);
  if (kinds) Object.assign(filter, { kinds });
  const limit = parseLimit(flags.limit, DEFAULT_SEARCH_LIMIT);
  const reader = await openReaderFor(ctx);
  try {
    const result = searchMeetings(reader.db, parsed, filter, limit);
    const { total, hits } = result;
    const { output } = ctx;
    if (output.jsonMode) {
      output.json(publicSearchResult(query, result));
      return ExitCode.ok;
    }
    if (total === 0) {
      output.result(`No matches for ${safeLine(query)}.`);
      return ExitCode.ok;
    }
    const open = output.stdoutColor ? '\u001b[1;33m' : '[';
    const close = output.stdoutColor ? '\u001b[22;39m' : ']';
    output.result(hits.map((hit) => formatHit(hit, open, close)).join('\n\n'));
    output.result(`\n${hits.length < total ? `${hits.length} of ${total} hits (--limit for more)` : `${total} hit${total === 1 ? '' : 's'}`}`);
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}

const KIND_LABEL: Record<HitKind, string> = { title: 'title', summary: 'summary', transcript: 'transcript', action_item: 'action item' };

function formatHit(hit: SearchHit, open: string, close: string): string {
  const where = [KIND_LABEL[hit.kind], hit.speaker_name, hit.timestamp].filter(Boolean).map((s) => safeLine(String(s))).join(' · ');
  return [`${hit.created_at.slice(0, 10)}  ${safeLine(hit.title ?? '(untitled)')}  (${where})`, `  ${markSnippet(hit.snippet, open, close)}`, ...(hit.url ? [`  ${safeLine(hit.url)}`] : [])].join('\n');
}
