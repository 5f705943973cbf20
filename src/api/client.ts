import type { z } from 'zod';
import { ApiError, RecordingContentError } from '../core/errors.js';
import type { HttpClient } from './http.js';
import {
  SummaryResponseSchema,
  TranscriptResponseSchema,
  MeetingTypeSchema,
  TeamSchema,
  TeamMemberSchema,
  PageEnvelopeSchema,
  validateMeetingPage,
  describeIssues,
  type ValidatedPage,
} from './schemas.js';

/** Filters and include flags of GET /meetings, named as the API names them. */
export interface MeetingQuery {
  createdAfter?: string;
  createdBefore?: string;
  recordedBy?: string[];
  teams?: string[];
  calendarInviteesDomains?: string[];
  calendarInviteesDomainsType?: 'all' | 'only_internal' | 'one_or_more_external';
  meetingType?: string;
  include?: {
    transcript?: boolean;
    summary?: boolean;
    actionItems?: boolean;
    highlights?: boolean;
    crmMatches?: boolean;
  };
}

/** Safety net against a server that never stops paging. */
export const MAX_PAGES = 100_000;
/** The same for the small lists (/teams, /meeting_types, /team_members): a few pages at most. */
export const MAX_LIST_PAGES = 1_000;

/**
 * One cursor chain's guard: a cursor already followed would loop forever, and a chain longer than
 * `maxPages` is a server that never ends it. Either ends the chain with an ApiError (exit 1).
 */
export class CursorChain {
  readonly #seen = new Set<string>();
  #pages = 0;
  constructor(
    private readonly what: string,
    private readonly maxPages: number,
  ) {}

  /** Before fetching the page after `cursor` (null: the first page). */
  next(cursor: string | null): void {
    if (cursor !== null) {
      if (this.#seen.has(cursor)) throw new ApiError(`Fathom returned a cursor it had already returned (${this.what}); stopping to avoid a loop`, 200);
      this.#seen.add(cursor);
    }
    if (++this.#pages > this.maxPages) throw new ApiError(`more than ${this.maxPages} pages of ${this.what}; stopping`, 200);
  }
}

export function meetingQueryParams(query: MeetingQuery, cursor?: string): URLSearchParams {
  const p = new URLSearchParams();
  if (query.createdAfter) p.set('created_after', query.createdAfter);
  if (query.createdBefore) p.set('created_before', query.createdBefore);
  // Arrays use a literal [] suffix and repeat the key.
  for (const v of query.recordedBy ?? []) p.append('recorded_by[]', v);
  for (const v of query.teams ?? []) p.append('teams[]', v);
  for (const v of query.calendarInviteesDomains ?? []) p.append('calendar_invitees_domains[]', v);
  if (query.calendarInviteesDomainsType && query.calendarInviteesDomainsType !== 'all') {
    p.set('calendar_invitees_domains_type', query.calendarInviteesDomainsType);
  }
  if (query.meetingType) p.set('meeting_type', query.meetingType);
  const inc = query.include ?? {};
  if (inc.actionItems) p.set('include_action_items', 'true');
  if (inc.crmMatches) p.set('include_crm_matches', 'true');
  if (inc.highlights) p.set('include_highlights', 'true');
  if (inc.summary) p.set('include_summary', 'true');
  if (inc.transcript) p.set('include_transcript', 'true');
  if (cursor) p.set('cursor', cursor);
  return p;
}

export class FathomClient {
  constructor(readonly http: HttpClient) {}

  /**
   * A pager over GET /meetings, newest first, in the page size the server chooses. The caller
   * asks for each page (so it can stop early, and fetch the next page while it stores this one);
   * the pager refuses a cursor it has already followed, a server bug that would loop forever.
   */
  meetingPager(query: MeetingQuery, signal?: AbortSignal): MeetingPager {
    return new MeetingPager(this.http, query, signal);
  }

  /**
   * The `summary` of GET /recordings/{id}/summary exactly as Fathom sent it (a MeetingSummary or
   * null): checked against the schema, but not normalised, so raw_json stays verbatim.
   */
  async summary(recordingId: number, signal?: AbortSignal): Promise<unknown> {
    return this.#recordingContent(recordingId, 'summary', SummaryResponseSchema, signal);
  }

  /** The `transcript` of GET /recordings/{id}/transcript exactly as sent (TranscriptItem[] or null), checked like summary(). */
  async transcript(recordingId: number, signal?: AbortSignal): Promise<unknown> {
    return this.#recordingContent(recordingId, 'transcript', TranscriptResponseSchema, signal);
  }

  /**
   * GET /recordings/{id}/summary or /transcript. What concerns this one recording becomes a
   * RecordingContentError: a 4xx answer (http.ts throws ApiError only for 4xx other than 401,
   * 408 and 429) or a body that fails the schema. Everything else passes unchanged: a 401 after
   * renewal (AuthRequiredError), 5xx, network trouble and 429s once retries are spent
   * (TemporaryError), an abort.
   */
  async #recordingContent(recordingId: number, part: 'summary' | 'transcript', schema: z.ZodType, signal?: AbortSignal): Promise<unknown> {
    const path = `/recordings/${recordingId}/${part}`;
    let body: unknown;
    try {
      ({ body } = await this.http.json({ path, cls: 'heavy', signal }));
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 401) {
        throw new RecordingContentError(recordingId, err.message, err.status);
      }
      throw err;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new RecordingContentError(recordingId, `Fathom answered ${path} with a ${part} that does not fit the schema (${describeIssues(parsed.error)})`, 200);
    }
    return (body as Record<string, unknown>)[part];
  }

  async meetingTypes(): Promise<{ name: string; status: string | null }[]> {
    return this.#listAll('/meeting_types', (item) => MeetingTypeSchema.parse(item));
  }

  async teams(signal?: AbortSignal): Promise<{ name: string; created_at: string | null }[]> {
    return this.#listAll('/teams', (item) => TeamSchema.parse(item), {}, signal);
  }

  /** The members of one team (GET /team_members?team=NAME). */
  async teamMembers(team: string, signal?: AbortSignal): Promise<{ name: string | null; email: string; created_at: string | null }[]> {
    return this.#listAll('/team_members', (item) => TeamMemberSchema.parse(item), { team }, signal);
  }

  /** Every page of a small list, under the same guard as the meeting pager (a repeated cursor, a page cap). */
  async #listAll<T>(path: string, parse: (item: unknown) => T, params: Record<string, string> = {}, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    const chain = new CursorChain(`GET ${path}`, MAX_LIST_PAGES);
    let cursor: string | null = null;
    do {
      chain.next(cursor);
      const query = new URLSearchParams(params);
      if (cursor) query.set('cursor', cursor);
      const { body } = await this.http.json({ path, query, cls: 'light', signal });
      const page = PageEnvelopeSchema.parse(body);
      out.push(...page.items.map(parse));
      cursor = page.next_cursor;
    } while (cursor);
    return out;
  }
}

export class MeetingPager {
  readonly #chain = new CursorChain('GET /meetings', MAX_PAGES);
  constructor(
    private readonly http: HttpClient,
    private readonly query: MeetingQuery,
    private readonly signal?: AbortSignal,
  ) {}

  /** The first page (no cursor), or the page after `cursor`. */
  async fetch(cursor: string | null): Promise<ValidatedPage> {
    this.#chain.next(cursor);
    const heavy = Boolean(this.query.include?.summary || this.query.include?.transcript);
    const { body } = await this.http.json({
      path: '/meetings',
      query: meetingQueryParams(this.query, cursor ?? undefined),
      cls: heavy ? 'heavy' : 'light',
      signal: this.signal,
    });
    try {
      return validateMeetingPage(body);
    } catch {
      throw new ApiError('Fathom answered /meetings with something that is not a meeting list', 200);
    }
  }
}
