/**
 * The one way fathom-sync writes a length of time for people, in three styles:
 * - `clock` (the default): run times and waits, "850 ms", "42s", "3m05s", "2h10m";
 * - `age`: how long ago, rounded as a person says it, "45 s", "12 min", "3.0 h", "4 days";
 * - `words`: a limit in a sentence, "a day", "an hour", "2 minutes", "90 seconds".
 */
export type DurationStyle = 'clock' | 'age' | 'words';

export function formatDuration(ms: number, style: DurationStyle = 'clock'): string {
  switch (style) {
    case 'age':
      return age(ms);
    case 'words':
      return words(ms);
    default:
      return clock(ms);
  }
}

function clock(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const min = s / 60;
  if (min < 90) return `${Math.round(min)} min`;
  const h = min / 60;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${Math.floor(h / 24)} days`;
}

function words(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms % size === 0) return ms === size ? `a${name === 'hour' ? 'n' : ''} ${name}` : `${ms / size} ${name}s`;
  }
  return `${ms} ms`;
}
