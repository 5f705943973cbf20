import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { formatClock, parseRecordingTime } from '../../domain/recording-time.js';
import type { TranscriptLine, TranscriptSlice } from '../../db/read/reader.js';
import { resolveMeeting } from '../arguments.js';
import { mdText, plural } from '../markdown.js';
import { decodeCursor, encodeCursor, fillPage } from '../paging.js';
import { recordingIdArg, transcriptLineSchema } from '../schemas.js';
import { defineTool } from '../tool-kit.js';

/** get_transcript: a meeting's transcript, or a part of it, in pages under the size cap. */

const momentArg = (what: string) =>
  z
    .union([z.string(), z.number().int().nonnegative()])
    .optional()
    .describe(`${what} (inclusive): a moment in the recording as HH:MM:SS, MM:SS or seconds`);

/** The part of the transcript asked for: what a cursor carries, so the next page is the same request. */
interface Request {
  from: number | null;
  to: number | null;
  speaker: string | null;
}

function moment(value: string | number | undefined, name: 'from' | 'to'): number | null {
  if (value === undefined) return null;
  const seconds = parseRecordingTime(value);
  if (seconds === null) throw new UsageError(`${name} ${JSON.stringify(value)} is not a moment in the recording: use HH:MM:SS, MM:SS or a number of seconds`);
  return seconds;
}

function requestOf(args: { from?: string | number | undefined; to?: string | number | undefined; speaker?: string | undefined }): Request {
  const request = { from: moment(args.from, 'from'), to: moment(args.to, 'to'), speaker: args.speaker?.trim() || null };
  if (request.from !== null && request.to !== null && request.from > request.to) throw new UsageError(`from ${formatClock(request.from)} is after to ${formatClock(request.to)}`);
  return request;
}

function continuation(cursor: string, id: number, asked: Request, given: { from?: unknown; to?: unknown; speaker?: unknown }): { request: Request; seq: number } {
  const c = decodeCursor(cursor);
  if (c.r !== id) throw new UsageError(`cursor belongs to another meeting (recording_id ${String(c.r)}): pass it with that recording_id, or ask again without cursor`);
  const request: Request = { from: typeof c.f === 'number' ? c.f : null, to: typeof c.t === 'number' ? c.t : null, speaker: typeof c.sp === 'string' ? c.sp : null };
  const differs = (given.from !== undefined && asked.from !== request.from) || (given.to !== undefined && asked.to !== request.to) || (given.speaker !== undefined && asked.speaker !== request.speaker);
  if (differs) throw new UsageError('cursor continues a request with other from, to or speaker: pass the same ones (or none) with it, or ask again without cursor');
  if (typeof c.s !== 'number' || !Number.isInteger(c.s)) throw new UsageError('cursor is not one this server gave out: ask again without cursor to start from the first page');
  return { request, seq: c.s };
}

const sliceOf = (request: Request): TranscriptSlice => ({
  ...(request.from !== null ? { fromSeconds: request.from } : {}),
  ...(request.to !== null ? { toSeconds: request.to } : {}),
  ...(request.speaker !== null ? { speaker: request.speaker } : {}),
});

const lineMarkdown = (line: TranscriptLine) => `[${line.timestamp ? mdText(line.timestamp) : '--:--:--'}] **${mdText(line.speaker_name ?? 'Unknown speaker')}**: ${mdText(line.text)}`;

/** Room kept on every page for the heading, the counts and the cursor sentence. */
const RESERVED = 1_000;

export const getTranscriptTool = defineTool({
  name: 'get_transcript',
  title: 'Get a transcript',
  description:
    "A meeting's transcript, line by line with timestamps and speakers; optionally only from/to a moment or one speaker. " +
    'Long transcripts come in pages of under 40,000 characters: when next_cursor is not null, call again with the same arguments and cursor set to it.',
  input: z.object({
    recording_id: recordingIdArg,
    from: momentArg('only lines from this moment on'),
    to: momentArg('only lines up to this moment'),
    speaker: z.string().optional().describe("only this speaker's lines (display name, case-insensitive, or their email)"),
    cursor: z.string().optional().describe('next_cursor from the previous page, to continue'),
  }),
  output: z.object({
    recording_id: z.number().int(),
    title: z.string().nullable(),
    total_lines: z.number().int().describe('lines matching from/to/speaker, over all pages'),
    lines: z.array(transcriptLineSchema),
    next_cursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
  }),
  run(args, reader) {
    const id = resolveMeeting(reader, args.recording_id);
    const asked = requestOf(args);
    const { request, seq } = args.cursor === undefined ? { request: asked, seq: 0 } : continuation(args.cursor, id, asked, args);
    const slice = sliceOf(request);
    const title = reader.listMeetings({ ids: [id] }, 1)[0]?.title ?? null;
    const total = reader.transcriptLineCount(id, slice);
    const page = fillPage(reader.transcriptLines(id, { ...slice, fromSeq: seq }), lineMarkdown, { reserved: RESERVED });
    const next_cursor = page.next === null ? null : encodeCursor({ r: id, s: page.next.seq, f: request.from, t: request.to, sp: request.speaker });
    const part = [request.from !== null ? `from ${formatClock(request.from)}` : null, request.to !== null ? `to ${formatClock(request.to)}` : null, request.speaker !== null ? `speaker ${mdText(request.speaker)}` : null].filter(Boolean).join(', ');
    const head = `# Transcript: ${mdText(title ?? '(untitled)')} (recording_id ${id})${part ? `, ${part}` : ''}`;
    let text: string;
    if (total === 0) text = `${head}\n\n${part ? 'No transcript lines match.' : 'No transcript yet for this meeting.'}`;
    else {
      const counts = `${plural(page.items.length, 'line')} of ${total}${seq > 0 ? ' (continued)' : ''}${next_cursor ? '' : ', to the end'}`;
      const more = next_cursor ? `\n\n_More follows: call get_transcript again with recording_id ${id} and cursor "${next_cursor}"._` : '';
      text = `${head}\n${counts}\n\n${page.text.join('\n')}${more}`;
    }
    return { text, structured: { recording_id: id, title, total_lines: total, lines: page.items, next_cursor } };
  },
});
