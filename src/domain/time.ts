/** Times: instants as ISO-8601 UTC text, and "HH:MM:SS" offsets into a recording. */

export const DAY_MS = 24 * 60 * 60 * 1000;

export function toIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** "HH:MM:SS" (hours may exceed two digits) to seconds; null when it is not that shape. */
export function hmsToSeconds(value: string | null | undefined): number | null {
  if (!value) return null;
  const match = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}
