import crypto from 'node:crypto';
import { csvRow, type CsvValue } from '../domain/csv.js';
import { meetingFileName } from '../domain/file-names.js';
import { renderMeetingMarkdown } from '../domain/meeting-markdown.js';
import { toMeetingDocument, type MeetingDocument } from '../domain/meeting-document.js';
import type { TalkTime } from '../domain/talk-time.js';
import type { MeetingFilter } from '../db/read/filters.js';
import type { MeetingPayload, MeetingReader } from '../db/read/reader.js';
import { ExportFolder, type ExportCounts } from './export-folder.js';

/**
 * `fathom-sync export` as a service: meetings from the database in four formats.
 * - md: one Markdown file per meeting (front matter, summary, tasks, talk time, transcript);
 * - json: one file per meeting, Fathom's Meeting object as it was received, plus `talk_time`;
 * - ndjson: the same objects, one per line; csv: one row per meeting, scalar fields and counts.
 * Into a folder (--out) only what changed is written (see ExportFolder); ndjson and csv go to
 * stdout when there is no folder.
 */

export type ExportFormat = 'md' | 'json' | 'ndjson' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['md', 'json', 'ndjson', 'csv'];

/** Bumped when a format's output changes, so every file is written again once. */
const FORMAT_VERSION: Record<ExportFormat, number> = { md: 1, json: 1, ndjson: 1, csv: 1 };

export interface ExportRequest {
  format: ExportFormat;
  /** A folder; null writes ndjson/csv to `stdout`. */
  out: string | null;
  filter: MeetingFilter;
  force: boolean;
}

export interface ExportSinks {
  stdout: { write(text: string): unknown };
  warn(message: string): void;
}

export interface ExportResult extends ExportCounts {
  meetings: number;
  /** The folder written to, or null for stdout. */
  out: string | null;
}

export const CSV_COLUMNS = [
  'recording_id',
  'created_at',
  'title',
  'meeting_title',
  'meeting_type',
  'duration_minutes',
  'recorded_by_name',
  'recorded_by_email',
  'recorded_by_team',
  'calendar_invitees_domains_type',
  'external_domains',
  'attendee_count',
  'transcript_line_count',
  'action_item_count',
  'open_action_item_count',
  'internal_talk_share',
  'external_talk_share',
  'url',
  'share_url',
] as const;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** The object json and ndjson write: what Fathom sent, verbatim, and the talk time computed from it. */
function meetingObject(rawJson: string, talk: TalkTime | null): Record<string, unknown> {
  return { ...(JSON.parse(rawJson) as Record<string, unknown>), talk_time: talk };
}

function durationMinutes(m: MeetingDocument): number | null {
  if (!m.recording_start_time || !m.recording_end_time) return null;
  const d = (Date.parse(m.recording_end_time) - Date.parse(m.recording_start_time)) / 60_000;
  return Number.isFinite(d) && d >= 0 ? Math.round(d * 10) / 10 : null;
}

/** A stored meeting as the Markdown file `export` writes (and the MCP resource serves). */
export function storedMeetingMarkdown(rawJson: string, talk: TalkTime | null): string {
  return renderMeetingMarkdown(toMeetingDocument(JSON.parse(rawJson)), talk);
}

/** One meeting as a CSV row (and the same for the whole-export row of `export --format csv`). */
export function storedMeetingCsv(rawJson: string, talk: TalkTime | null): string {
  return csvRow(csvValues(toMeetingDocument(JSON.parse(rawJson)), talk));
}

export function csvValues(m: MeetingDocument, talk: TalkTime | null): CsvValue[] {
  const external = [...new Set(m.calendar_invitees.filter((a) => a.is_external).map((a) => (a.email_domain ?? a.email?.split('@')[1] ?? '').toLowerCase()).filter(Boolean))].sort();
  const actions = m.action_items ?? [];
  return [
    m.recording_id,
    m.created_at,
    m.title,
    m.meeting_title,
    m.meeting_type,
    durationMinutes(m),
    m.recorded_by?.name,
    m.recorded_by?.email,
    m.recorded_by?.team,
    m.calendar_invitees_domains_type,
    external.join(' '),
    m.calendar_invitees.length,
    m.transcript?.length ?? 0,
    actions.length,
    actions.filter((a) => !a.completed).length,
    talk ? Math.round(talk.internal_share * 10000) / 10000 : null,
    talk ? Math.round(talk.external_share * 10000) / 10000 : null,
    m.url,
    m.share_url,
  ];
}

export function exportMeetings(reader: MeetingReader, request: ExportRequest, sinks: ExportSinks): ExportResult {
  const { format } = request;
  const talkOf = (id: number) => reader.talkTime(id);
  /** One meeting in a one-line format: a CSV row or an NDJSON line. */
  const line = (row: MeetingPayload) => {
    const talk = talkOf(row.recording_id);
    return format === 'csv' ? storedMeetingCsv(row.raw_json, talk) : `${JSON.stringify(meetingObject(row.raw_json, talk))}\n`;
  };
  let meetings = 0;

  if (request.out === null) {
    if (format === 'csv') sinks.stdout.write(csvRow([...CSV_COLUMNS]));
    for (const row of reader.meetingPayloads(request.filter)) {
      sinks.stdout.write(line(row));
      meetings += 1;
    }
    return { meetings, out: null, written: meetings, unchanged: 0, skipped: 0, moved: 0 };
  }

  const folder = ExportFolder.open(request.out, format, { force: request.force, warn: sinks.warn });
  try {
    if (format === 'md' || format === 'json') {
      // Talk time follows from the payload and the team members: with both unchanged, and the
      // same format version, rendering again would give the same bytes, so it is not done.
      const team = reader.teamDigest();
      for (const head of reader.meetingHeads(request.filter)) {
        meetings += 1;
        folder.put({
          key: String(head.recording_id),
          fileName: meetingFileName(head, format),
          source: sha256(`${FORMAT_VERSION[format]}\0${head.payload_sha256}\0${team}`),
          render: () => {
            const raw = reader.rawJson(head.recording_id)!;
            const talk = talkOf(head.recording_id);
            return format === 'md' ? storedMeetingMarkdown(raw, talk) : `${JSON.stringify(meetingObject(raw, talk), null, 2)}\n`;
          },
        });
      }
    } else {
      // One file for the whole export: rendered in full, written only when its bytes change.
      const parts: string[] = format === 'csv' ? [csvRow([...CSV_COLUMNS])] : [];
      for (const row of reader.meetingPayloads(request.filter)) {
        parts.push(line(row));
        meetings += 1;
      }
      const content = parts.join('');
      folder.put({ key: `all.${format}`, fileName: `meetings.${format}`, source: sha256(content), render: () => content });
    }
  } finally {
    folder.save();
  }
  return { meetings, out: request.out, ...folder.counts };
}
