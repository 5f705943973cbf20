/**
 * Times as fathom-sync writes them: one canonical text form, `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, always
 * with milliseconds), so that comparing two stored times as text (`bookmark < ?`, `created_at >= ?`,
 * ORDER BY) orders them as instants. Fathom's own strings are normalised to it before they are stored
 * (the raw payload keeps them exactly as sent).
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** The canonical form of an instant. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An ISO-8601 date or date-time: date, time, fraction (any number of digits) and zone, as groups. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The canonical form of a time text, or the text unchanged when it is not an ISO-8601 time of a real
 * calendar day (nothing is ever lost by normalising). A date-time without a zone is UTC, as everywhere
 * in fathom-sync; a date alone is its first millisecond. Digits past the millisecond (Fathom sends
 * microseconds) are dropped, which keeps the order.
 */
export function canonicalTime(text: string): string {
  const m = ISO_TIME.exec(text.trim());
  if (!m) return text;
  const [, date, hm = '00:00', s = '00', fraction = '', zone = 'Z'] = m;
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const ms = fraction.slice(0, 3).padEnd(3, '0');
  const t = Date.parse(`${date}T${hm}:${s}.${ms}${offset}`);
  if (Number.isNaN(t)) return text;
  // Date.parse rolls 02-30 over into March: a day the calendar lacks is kept as it was.
  if (offset === 'Z' && toIso(t).slice(0, 10) !== date) return text;
  return toIso(t);
}

/** canonicalTime for a column that may be empty. */
export function canonicalTimeOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : canonicalTime(text);
}

/** "HH:MM:SS" (hours may exceed two digits) to seconds; null when it is not that shape. */
export function hmsToSeconds(value: string | null | undefined): number | null {
  if (!value) return null;
  const match = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}
