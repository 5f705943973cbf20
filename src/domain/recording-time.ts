/**
 * Moments in a recording, as seconds from its start. Fathom writes them as "HH:MM:SS"; a person
 * or an assistant asking for a part of a transcript may also write "MM:SS", "H:MM:SS" or plain
 * seconds.
 */

/** "HH:MM:SS", "MM:SS" or whole seconds to seconds; null when it is none of these. */
export function parseRecordingTime(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(?:(\d+):)?([0-5]?\d):([0-5]\d)$/.exec(v);
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Seconds as "HH:MM:SS". */
export function formatClock(seconds: number): string {
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
