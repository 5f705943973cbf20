/**
 * File names made from meeting titles, safe on Windows, macOS and Linux: a title can never name
 * a path outside the folder it is written to (no separators, no "..", no leading dots, no
 * absolute paths), nor a name Windows reserves (CON, NUL, COM1, ...), nor one too long for any of
 * the three (255 bytes; kept well under, since the folder adds to the path).
 */

const MAX_TITLE_BYTES = 120;
// Forbidden on Windows (and "/" everywhere); control characters are forbidden or hostile everywhere.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** A title as one safe path segment; never empty (falls back to `fallback`). */
export function safeNamePart(title: string | null | undefined, fallback = 'Untitled'): string {
  let name = (title ?? '')
    .normalize('NFC')
    .replace(FORBIDDEN, ' ')
    .replace(/[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  name = truncateBytes(name, MAX_TITLE_BYTES).trim();
  // Leading dots hide the file (and "." / ".." name directories); trailing dots and spaces are stripped by Windows.
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!name || RESERVED.test(name)) name = name ? `_${name}` : fallback;
  return name;
}

/** `YYYY-MM-DD <title> (<recording_id>).md`: the date and the id keep names unique and sortable. */
export function meetingFileName(meeting: { created_at: string; title: string | null; recording_id: number }, extension = 'md'): string {
  return `${meeting.created_at.slice(0, 10)} ${safeNamePart(meeting.title)} (${meeting.recording_id}).${extension}`;
}
