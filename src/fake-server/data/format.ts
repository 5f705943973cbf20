/** Time as Fathom writes it. */

/** ISO-8601 UTC to the second, without milliseconds: 2026-11-20T12:00:00Z. */
export function isoSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19) + 'Z';
}

/** Seconds as HH:MM:SS, as transcript and action-item timestamps are written. */
export function hms(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${r < 10 ? '0' : ''}${r}`;
}
