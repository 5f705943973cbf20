import { z } from 'zod';

/**
 * Zod schemas for the Fathom objects fathom-sync stores, after
 * ../shared/fathom-api/openapi.assembled.yaml (copied to tests/contract/). The client accepts
 * every value the spec allows and refuses only what the spec forbids and we cannot store:
 * unknown fields pass (the raw payload is stored whole anyway), fields the spec calls required
 * but that real data has been seen without become nullable, enums are stored as free text.
 * Only what we cannot store without is strict: an integer recording_id that JavaScript holds
 * exactly (any sign: the spec says only `integer`) and a created_at that is an instant.
 *
 * tests/contract/spec-vs-schemas.test.ts compares these schemas with the spec, field by field,
 * against a ledger of every place they deliberately differ: a change to either side that is
 * not in the ledger fails it.
 */

const str = z.string().nullish().transform((v) => v ?? null);
const bool = z.boolean().nullish().transform((v) => v ?? null);
const num = z.number().nullish().transform((v) => v ?? null);
const dateTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a date-time')
  .nullish()
  .transform((v) => v ?? null);

export const TranscriptItemSchema = z.looseObject({
  speaker: z
    .looseObject({
      display_name: str,
      matched_calendar_invitee_email: str,
    })
    .nullish()
    .transform((v) => v ?? { display_name: null, matched_calendar_invitee_email: null }),
  text: z.string().nullish().transform((v) => v ?? ''),
  timestamp: str,
});

export const MeetingSummarySchema = z.looseObject({
  template_name: str,
  markdown_formatted: str,
});

export const ActionItemSchema = z.looseObject({
  description: str,
  user_generated: bool,
  completed: bool,
  recording_timestamp: str,
  recording_playback_url: str,
  assignee: z
    .looseObject({ name: str, email: str, team: str })
    .nullish()
    .transform((v) => v ?? null),
});

export const HighlightSchema = z.looseObject({
  type: str,
  summary: str,
  text: str,
  start_time: num,
  end_time: num,
});

export const InviteeSchema = z.looseObject({
  name: str,
  email: str,
  email_domain: str,
  is_external: bool,
  matched_speaker_display_name: str,
});

export const FathomUserSchema = z.looseObject({
  name: str,
  email: str,
  email_domain: str,
  team: str,
});

export const MeetingSchema = z.looseObject({
  // Any integer, zero and negative included: the spec sets no range. z.int() is a *safe*
  // integer: a larger one has already lost digits in JSON.parse, so it would be a wrong key.
  recording_id: z.number().int(),
  created_at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'created_at is not a date-time'),
  title: str,
  meeting_title: str,
  meeting_type: str,
  url: str,
  share_url: str,
  meeting_url: str,
  scheduled_start_time: dateTime,
  scheduled_end_time: dateTime,
  recording_start_time: dateTime,
  recording_end_time: dateTime,
  calendar_invitees_domains_type: str,
  shared_with: str,
  transcript_language: str,
  calendar_invitees: z
    .array(InviteeSchema)
    .nullish()
    .transform((v) => v ?? []),
  recorded_by: FathomUserSchema.nullish().transform((v) => v ?? null),
  transcript: z.array(TranscriptItemSchema).nullish().transform((v) => v ?? null),
  default_summary: MeetingSummarySchema.nullish().transform((v) => v ?? null),
  action_items: z.array(ActionItemSchema).nullish().transform((v) => v ?? null),
  highlights: z.array(HighlightSchema).nullish().transform((v) => v ?? null),
  crm_matches: z.unknown().optional(),
});

export type Meeting = z.infer<typeof MeetingSchema>;
export type TranscriptItem = z.infer<typeof TranscriptItemSchema>;
export type MeetingSummary = z.infer<typeof MeetingSummarySchema>;

/** The list envelope. Items are validated one by one so one bad item does not sink a page. */
export const PageEnvelopeSchema = z.looseObject({
  limit: z.number().nullish(),
  next_cursor: z.string().nullish().transform((v) => v || null),
  items: z.array(z.unknown()),
});

export const SummaryResponseSchema = z.looseObject({ summary: MeetingSummarySchema.nullable() });
export const TranscriptResponseSchema = z.looseObject({ transcript: z.array(TranscriptItemSchema).nullable() });

export const MeetingTypeSchema = z.looseObject({ name: z.string(), status: str, created_at: str });
export const TeamSchema = z.looseObject({ name: z.string(), created_at: str });
export const TeamMemberSchema = z.looseObject({ name: str, email: z.string(), created_at: str });

export interface SkippedItem {
  recordingId: number | null;
  reason: string;
}

export interface ValidatedPage {
  meetings: { meeting: Meeting; raw: unknown }[];
  skipped: SkippedItem[];
  nextCursor: string | null;
  limit: number | null;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
    .join('; ');
}

/** Validates a /meetings page item by item: good items are kept, bad ones reported. */
export function validateMeetingPage(body: unknown): ValidatedPage {
  const envelope = PageEnvelopeSchema.parse(body);
  const meetings: ValidatedPage['meetings'] = [];
  const skipped: SkippedItem[] = [];
  for (const raw of envelope.items) {
    const parsed = MeetingSchema.safeParse(raw);
    if (parsed.success) {
      meetings.push({ meeting: parsed.data, raw });
    } else {
      const id = raw && typeof raw === 'object' ? (raw as { recording_id?: unknown }).recording_id : undefined;
      skipped.push({
        recordingId: typeof id === 'number' && Number.isSafeInteger(id) ? id : null,
        reason: describeIssues(parsed.error),
      });
    }
  }
  return { meetings, skipped, nextCursor: envelope.next_cursor, limit: envelope.limit ?? null };
}
