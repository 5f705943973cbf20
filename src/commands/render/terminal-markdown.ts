import { safeText } from '../../core/safe-text.js';

/**
 * Fathom's summary Markdown for a terminal: headings and **bold** in bold when colour is on,
 * links as "text <url>", bullets as they are. The text is made harmless first, so escapes in it
 * cannot reach the terminal; the only escape codes are the ones added here.
 */
export function markdownForTerminal(markdown: string, options: { color: boolean }): string {
  const bold = (s: string) => (options.color ? `\u001b[1m${s}\u001b[22m` : s);
  return safeText(markdown)
    .split('\n')
    .map((line) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) return bold(heading[1]!.replace(/\*\*(.+?)\*\*/g, '$1'));
      return line
        .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '$1 <$2>')
        .replace(/\*\*(.+?)\*\*/g, (_m, inner: string) => bold(inner))
        .replace(/^(\s*)[*+] /, '$1- ');
    })
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
