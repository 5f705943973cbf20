/**
 * Fathom's playback links open the recording at a moment with `?timestamp=<seconds>`. The base
 * is the meeting's share or call link as Fathom sent it; a link that is not a URL is returned
 * unchanged rather than guessed at.
 */
export function playbackUrl(base: string | null, seconds: number | null): string | null {
  if (!base || seconds === null) return base;
  try {
    const url = new URL(base);
    url.searchParams.set('timestamp', String(Math.max(0, Math.floor(seconds))));
    return url.toString();
  } catch {
    return base;
  }
}
