import { UsageError } from '../core/errors.js';

/**
 * Pages of a long answer. An assistant's context is precious and clients cap tool results, so a
 * long transcript comes in pages of at most PAGE_CHARS characters (the Markdown, and separately the
 * structured copy), each with a cursor that continues exactly where the page stopped.
 */

export const PAGE_CHARS = 40_000;

export interface Page<T> {
  items: T[];
  /** The item the next page starts with, or null when this page is the last. */
  next: T | null;
}

/**
 * Fills a page from `items` in order while the item's Markdown and its JSON both fit in what is
 * left of the budget (`reserved` characters are kept for the page's head and foot). A page holds
 * at least one item, so a single oversized item cannot stop progress. Stops reading at the first
 * item that does not fit, so a streamed source is not read further than needed.
 */
export function fillPage<T>(items: Iterable<T>, render: (item: T) => string, options: { reserved: number; budget?: number }): Page<T> & { text: string[] } {
  const budget = (options.budget ?? PAGE_CHARS) - options.reserved;
  const page: T[] = [];
  const text: string[] = [];
  let textChars = 0;
  let jsonChars = 0;
  for (const item of items) {
    const markdown = render(item);
    const json = JSON.stringify(item).length + 1;
    if (page.length > 0 && (textChars + markdown.length + 1 > budget || jsonChars + json > budget)) return { items: page, text, next: item };
    page.push(item);
    text.push(markdown);
    textChars += markdown.length + 1;
    jsonChars += json;
  }
  return { items: page, text, next: null };
}

/** A cursor: the request it continues and where, as opaque base64url JSON. */
export function encodeCursor(state: Record<string, string | number | null>): string {
  return Buffer.from(JSON.stringify({ v: 1, ...state }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && (value as { v?: unknown }).v === 1) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UsageError('cursor is not one this server gave out: ask again without cursor to start from the first page');
}
