import { mdText } from '../domain/meeting-markdown.js';

/**
 * Small pieces of the Markdown the tools answer with. Meeting data is other people's text: it is
 * written with mdText (literal, no Markdown or HTML of its own), links only when they are http(s).
 */

export { mdText };

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** "2026-03-02 14:05" (UTC) from an ISO time. */
export const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}`;

export const minutes = (seconds: number | null) => (seconds === null ? '-' : `${Math.round(seconds / 60)} min`);

export const percent = (share: number | null) => (share === null ? '-' : `${Math.round(share * 100)}%`);

export const side = (external: boolean | null) => (external === true ? 'external' : external === false ? 'internal' : 'unknown');

/** A link to a Fathom page, or nothing when the value is not an http(s) URL. */
export function link(label: string, url: string | null): string {
  if (!url || !/^https?:\/\//i.test(url)) return '';
  return `[${label}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}

/** A Markdown table; cells are already Markdown (escape other people's text with mdText first). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
