/**
 * Fathom's playback links open the recording at a moment with `?timestamp=<seconds>`. The base
 * is the meeting's share or call link as Fathom sent it; a link that is not a URL is returned
 * unchanged rather than guessed at.
 */
/** A plain https link with a path and no timestamp yet: appending gives what URL would (no character of it is re-encoded). */
const PLAIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9\-._~/%:@!$&()*+,;=]*(\?[A-Za-z0-9\-._~/%:@!$&()*+,;=?]*)?$/;

export function playbackUrl(base: string | null, seconds: number | null): string | null {
  if (!base || seconds === null) return base;
  const at = String(Math.max(0, Math.floor(seconds)));
  // Exports write a link for every turn of every transcript: the common case skips URL parsing.
  if (PLAIN.test(base) && !/[?&]timestamp=/.test(base)) return `${base}${base.includes('?') ? (/[?&]$/.test(base) ? '' : '&') : '?'}timestamp=${at}`;
  try {
    const url = new URL(base);
    url.searchParams.set('timestamp', at);
    return url.toString();
  } catch {
    return base;
  }
}
