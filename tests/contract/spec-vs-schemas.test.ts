import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MeetingSchema,
  MeetingTypeSchema,
  PageEnvelopeSchema,
  SummaryResponseSchema,
  TeamMemberSchema,
  TeamSchema,
  TranscriptResponseSchema,
  validateMeetingPage,
} from '../../src/api/schemas.js';
import { compareShapes, requestIssues, responseShape, specShape, toShape, validVariants, type Diff, type DiffKind, type Shape } from '../helpers/openapi.js';

/**
 * The client's zod schemas against the spec's, field by field: required fields, JSON types,
 * nullability, enums, numeric bounds, unknown fields. Every place where they differ must be in
 * the ledger below with its reason, and every ledger line must still be a real difference: a
 * change to the spec (a new copy) or to src/api/schemas.ts that is not in the ledger fails here.
 *
 * The rule the ledger follows: the client may be MORE tolerant than the spec (it stores what
 * it can), and refuses only what the spec forbids or what cannot be stored.
 */

/** What the client does with each item of a list: the envelope's items are parsed one by one. */
const envelopeOf = (item: z.ZodType) => PageEnvelopeSchema.extend({ items: z.array(item) });

const PAIRS: { site: string; spec: () => Shape; client: z.ZodType }[] = [
  { site: 'MeetingListResponse', spec: () => specShape('MeetingListResponse'), client: envelopeOf(MeetingSchema) },
  { site: 'MeetingTypeListResponse', spec: () => specShape('MeetingTypeListResponse'), client: envelopeOf(MeetingTypeSchema) },
  { site: 'TeamListResponse', spec: () => specShape('TeamListResponse'), client: envelopeOf(TeamSchema) },
  { site: 'TeamMemberListResponse', spec: () => specShape('TeamMemberListResponse'), client: envelopeOf(TeamMemberSchema) },
  // The first alternative of each: the answer without destination_url, which the client never sends.
  { site: 'GET /recordings/{recording_id}/summary', spec: () => responseShape('/recordings/{recording_id}/summary').variants![0]!, client: SummaryResponseSchema },
  { site: 'GET /recordings/{recording_id}/transcript', spec: () => responseShape('/recordings/{recording_id}/transcript').variants![0]!, client: TranscriptResponseSchema },
];

/** The components the client parses: each must be reached by the walk. */
const PARSED_COMPONENTS = [
  'MeetingListResponse',
  'Meeting',
  'TranscriptItem',
  'TranscriptItemSpeaker',
  'Invitee',
  'ActionItem',
  'Assignee',
  'Highlight',
  'MeetingSummary',
  'FathomUser',
  'MeetingTypeListResponse',
  'MeetingType',
  'TeamListResponse',
  'Team',
  'TeamMemberListResponse',
  'TeamMember',
];

// ---- the ledger ---------------------------------------------------------------------------------

const WHY = {
  gap: 'stored as NULL when absent or null: one missing field is no reason to lose a meeting (real data has been seen without fields the spec requires, e.g. the older docs example)',
  enumText: 'stored as text: a value Fathom adds later is kept, not refused (meeting_type went from internal/external to names once already)',
  unsafeInt: 'cannot be stored: past 2^53 JSON.parse has already changed the number, so it would be a wrong key (z.int() is a safe integer)',
  limit: 'read, never used (the server picks the page size): any number, or none',
  cursor: 'a missing next_cursor ends the list, as null does',
  pending: 'the fake answers {"summary": null} / {"transcript": null} while Fathom has not produced the content (the spec is silent on that case): stored as not complete, fetched again later',
  crm: 'stored verbatim as JSON (meetings.crm_matches_json); nothing inside it is read',
  listAbsent: 'an absent or null list is stored as no rows',
} as const;

interface LedgerLine {
  path: string;
  kind: DiffKind;
  /** For refusals, exactly what is refused. */
  detail?: string;
  why: string;
}

const LEDGER: LedgerLine[] = [];
function tolerate(why: string, kinds: DiffKind[], ...paths: string[]): void {
  for (const path of paths) for (const kind of kinds) LEDGER.push({ path, kind, why });
}

// Refusals: only what cannot be stored, each with exactly what it refuses.
LEDGER.push(
  { path: 'Meeting.recording_id', kind: 'bounded', detail: `minimum ${Number.MIN_SAFE_INTEGER}`, why: WHY.unsafeInt },
  { path: 'Meeting.recording_id', kind: 'bounded', detail: `maximum ${Number.MAX_SAFE_INTEGER}`, why: WHY.unsafeInt },
);
// Tolerance.
tolerate(WHY.limit, ['optional', 'widened-type'], 'MeetingListResponse.limit', 'MeetingTypeListResponse.limit');
tolerate(WHY.limit, ['optional', 'widened-type', 'allows-null'], 'TeamListResponse.limit', 'TeamMemberListResponse.limit');
tolerate(WHY.cursor, ['optional'], 'MeetingListResponse.next_cursor', 'MeetingTypeListResponse.next_cursor', 'TeamListResponse.next_cursor', 'TeamMemberListResponse.next_cursor');
tolerate(WHY.gap, ['optional'], 'Meeting.meeting_title', 'Meeting.meeting_type', 'MeetingSummary.template_name', 'MeetingSummary.markdown_formatted');
tolerate(WHY.gap, ['optional'], 'Assignee.name', 'Assignee.email', 'Assignee.team', 'Invitee.name', 'Invitee.email', 'Invitee.email_domain', 'FathomUser.team', 'Highlight.summary');
tolerate(
  WHY.gap,
  ['optional', 'allows-null'],
  'Meeting.title',
  'Meeting.url',
  'Meeting.share_url',
  'Meeting.scheduled_start_time',
  'Meeting.scheduled_end_time',
  'Meeting.recording_start_time',
  'Meeting.recording_end_time',
  'Meeting.transcript_language',
  'Meeting.recorded_by',
  'TranscriptItem.speaker',
  'TranscriptItemSpeaker.display_name',
  'TranscriptItem.text',
  'TranscriptItem.timestamp',
  'ActionItem.description',
  'ActionItem.user_generated',
  'ActionItem.completed',
  'ActionItem.recording_timestamp',
  'ActionItem.recording_playback_url',
  'ActionItem.assignee',
  'Highlight.type',
  'Highlight.start_time',
  'Highlight.end_time',
  'Invitee.is_external',
  'FathomUser.name',
  'FathomUser.email',
  'FathomUser.email_domain',
  'Team.created_at',
  'TeamMember.name',
  'TeamMember.created_at',
  'MeetingType.created_at',
);
tolerate(WHY.gap, ['allows-null'], 'Highlight.text');
tolerate(WHY.listAbsent, ['optional', 'allows-null'], 'Meeting.calendar_invitees');
tolerate(WHY.gap, ['optional', 'allows-null'], 'Meeting.calendar_invitees_domains_type', 'Meeting.shared_with', 'MeetingType.status');
tolerate(WHY.enumText, ['enum-widened'], 'Meeting.calendar_invitees_domains_type', 'Meeting.shared_with', 'MeetingType.status');
tolerate(WHY.crm, ['unparsed'], 'Meeting.crm_matches');
tolerate(WHY.pending, ['allows-null'], 'GET /recordings/{recording_id}/summary.summary', 'GET /recordings/{recording_id}/transcript.transcript');

/** Differences that make the client refuse something the spec allows. */
const REFUSING: DiffKind[] = ['refuses-type', 'refuses-enum', 'refuses-absent', 'refuses-unknown', 'bounded'];

const clientShape = (schema: z.ZodType) => toShape(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), 'jsonschema');
/** Refusals are matched with their detail (a new bound is a new refusal); tolerance by kind. */
const key = (d: { path: string; kind: DiffKind; detail?: string }) => `${d.path} [${d.kind}]${REFUSING.includes(d.kind) ? ` ${d.detail}` : ''}`;

function allDiffs(): { diffs: Diff[]; seen: Set<string> } {
  const seen = new Set<string>();
  const all = PAIRS.flatMap((p) => compareShapes(p.spec(), clientShape(p.client), p.site, seen));
  // A component reached from two places is compared twice: report it once.
  return { diffs: [...new Map(all.map((d) => [key(d), d])).values()], seen };
}

describe('the client schemas against the spec', () => {
  it('walk every component the client parses', () => {
    const { seen } = allDiffs();
    expect(PARSED_COMPONENTS.filter((c) => !seen.has(c))).toEqual([]);
  });

  it('differ from it only where the ledger says, and the ledger has no stale line', () => {
    const { diffs } = allDiffs();
    const ledger = new Set(LEDGER.map(key));
    const unexplained = diffs.filter((d) => !ledger.has(key(d))).map((d) => `${key(d)}: ${d.detail}`);
    const found = new Set(diffs.map(key));
    const stale = LEDGER.filter((l) => !found.has(key(l))).map(key);
    expect(unexplained, 'the zod schemas and the spec differ here: fix the schema, or add a ledger line with the reason').toEqual([]);
    expect(stale, 'these ledger lines no longer differ: remove them').toEqual([]);
  });

  it('refuse only what cannot be stored', () => {
    const refusing = LEDGER.filter((l) => REFUSING.includes(l.kind));
    expect(refusing.map(key)).toEqual([
      `Meeting.recording_id [bounded] minimum ${Number.MIN_SAFE_INTEGER}`,
      `Meeting.recording_id [bounded] maximum ${Number.MAX_SAFE_INTEGER}`,
    ]);
    expect(refusing.every((l) => l.why === WHY.unsafeInt)).toBe(true);
  });

  it('accept every spec-valid variant of every answer they parse', () => {
    const refused: string[] = [];
    let count = 0;
    for (const pair of PAIRS) {
      for (const v of validVariants(pair.spec(), pair.site)) {
        count += 1;
        const r = pair.client.safeParse(v.value);
        if (!r.success) refused.push(`${v.where || pair.site}: ${JSON.stringify(r.error.issues.slice(0, 2))}`);
      }
    }
    expect(count).toBeGreaterThan(200);
    expect(refused).toEqual([]);
  });

  it('keep every spec-valid meeting of a page, and its recording_id unchanged', () => {
    const variants = validVariants(specShape('Meeting'), 'Meeting');
    const page = validateMeetingPage({ limit: null, next_cursor: null, items: variants.map((v) => v.value) });
    expect(page.skipped).toEqual([]);
    expect(page.meetings.map((m) => m.meeting.recording_id)).toEqual(variants.map((v) => (v.value as { recording_id: number }).recording_id));
    expect(new Set(page.meetings.map((m) => m.meeting.recording_id))).toEqual(new Set([0, -1, 123456789, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]));
  });
});

describe('the request check the contract tests add to Prism (which lets `name[]` arrays and unknown parameters pass)', () => {
  it('accepts what the spec declares, in its [] array syntax, and any integer recording_id', () => {
    expect(requestIssues('GET', '/meetings', new URLSearchParams('recorded_by[]=a@b.com&recorded_by[]=c@d.com&teams[]=Sales&include_summary=true&cursor=x&created_after=2020-01-01T00:00:00Z'))).toEqual([]);
    expect(requestIssues('GET', '/recordings/-5/summary', new URLSearchParams())).toEqual([]);
    expect(requestIssues('GET', '/recordings/0/transcript', new URLSearchParams())).toEqual([]);
  });

  it('names each way a request can break it', () => {
    expect(requestIssues('GET', '/meetings', new URLSearchParams('recorded_by[]=zzz&recorded_by=x@y.com&include_summary=yes&calendar_invitees_domains_type=bogus&meeting_type=a&meeting_type=b'))).toEqual([
      'recorded_by[]=zzz: not an email address',
      'query parameter recorded_by is not in the spec',
      'include_summary=yes: not a boolean',
      'calendar_invitees_domains_type=bogus: not one of all|only_internal|one_or_more_external',
      'meeting_type sent 2 times',
    ]);
    expect(requestIssues('GET', '/recordings/abc/summary', new URLSearchParams('destination_url=nope'))).toEqual(['recording_id=abc: not an integer', 'destination_url=nope: not a URI']);
    expect(requestIssues('GET', '/meetings/5', new URLSearchParams())).toEqual(['GET /meetings/5 is not an operation of the spec']);
  });
});
