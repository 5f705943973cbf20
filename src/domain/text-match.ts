import type { ParsedQuery, QueryTerm } from './search-query.js';

/**
 * The search language applied to one piece of text, the way SQLite's unicode61 tokenizer (with
 * remove_diacritics 2) reads it: letters and digits make words, everything else separates them,
 * case and accents do not count. Search uses the index to find and rank meetings, then this to
 * pick the lines of a meeting that match and to mark the words in a snippet.
 */

export interface Token {
  /** The folded form: lower case, accents removed. */
  norm: string;
  /** Where the word is in the original text (UTF-16 offsets). */
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}\p{Co}]+/gu;

// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

export function fold(text: string): string {
  // Most text is ASCII, where folding is lower-casing: skip the Unicode decomposition then.
  return ASCII.test(text) ? text.toLowerCase() : text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const ASCII_WORD = /[A-Za-z0-9]+/g;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  // ASCII text needs neither Unicode classes nor decomposition (the same words, found faster).
  const ascii = ASCII.test(text);
  for (const m of text.matchAll(ascii ? ASCII_WORD : WORD)) tokens.push({ norm: ascii ? m[0].toLowerCase() : fold(m[0]), start: m.index, end: m.index + m[0].length });
  return tokens;
}

/** A query term as folded words: a word is one, a phrase is the words in order. */
interface FoldedTerm {
  words: string[];
  prefix: boolean;
}

function foldTerm(term: QueryTerm): FoldedTerm {
  const words = tokenize(term.text).map((t) => t.norm);
  return { words, prefix: term.kind === 'word' && term.prefix };
}

/** Start indexes (into tokens) where the term occurs. */
function occurrences(tokens: Token[], term: FoldedTerm): number[] {
  const out: number[] = [];
  const n = term.words.length;
  if (n === 0) return out;
  for (let i = 0; i + n <= tokens.length; i++) {
    let ok = true;
    for (let k = 0; k < n; k++) {
      const word = tokens[i + k]!.norm;
      const wanted = term.words[k]!;
      const last = k === n - 1;
      if (!(word === wanted || (last && term.prefix && word.startsWith(wanted)))) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(i);
  }
  return out;
}

export interface TextMatch {
  /** How many distinct required clauses matched (all of them, when it matches). */
  clauses: number;
  /** All occurrences of positive terms, as token ranges [from, to). */
  spans: [number, number][];
  tokens: Token[];
}

/** A compiled query: match() says whether a text matches and where. */
export class TextMatcher {
  readonly #required: FoldedTerm[][];
  readonly #excluded: FoldedTerm[];

  constructor(query: ParsedQuery) {
    this.#required = query.required.map((c) => c.anyOf.map(foldTerm));
    this.#excluded = query.excluded.map(foldTerm);
  }

  match(text: string | null | undefined): TextMatch | null {
    if (!text) return null;
    // Most lines of a meeting do not match: a substring test of the folded text rules them out
    // before the text is split into words.
    const folded = fold(text);
    if (!this.#required.every((clause) => clause.some((term) => term.words.every((w) => folded.includes(w))))) return null;
    const tokens = tokenize(text);
    const spans: [number, number][] = [];
    for (const clause of this.#required) {
      let found = false;
      for (const term of clause) {
        for (const at of occurrences(tokens, term)) {
          found = true;
          spans.push([at, at + term.words.length]);
        }
      }
      if (!found) return null;
    }
    if (this.#excluded.some((term) => occurrences(tokens, term).length > 0)) return null;
    spans.sort((a, b) => a[0] - b[0]);
    return { clauses: this.#required.length, spans, tokens };
  }
}

/**
 * The words around the first match, at most `words` of them, with every matched word between
 * `open` and `close`, and "…" where the text was cut.
 */
export function snippetOf(text: string, m: TextMatch, open: string, close: string, words = 16): string {
  const { tokens, spans } = m;
  if (tokens.length === 0) return text;
  const first = spans[0]?.[0] ?? 0;
  const from = Math.max(0, Math.min(first - Math.floor(words / 3), tokens.length - words));
  const to = Math.min(tokens.length, from + words);
  const marked = new Set<number>();
  for (const [a, b] of spans) for (let i = a; i < b; i++) marked.add(i);
  let out = from > 0 ? '…' : '';
  let cursor = from > 0 ? tokens[from]!.start : 0;
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    out += text.slice(cursor, t.start);
    out += marked.has(i) ? `${open}${text.slice(t.start, t.end)}${close}` : text.slice(t.start, t.end);
    cursor = t.end;
  }
  out += to < tokens.length ? '…' : text.slice(cursor);
  return out.replace(/\s+/g, ' ').trim();
}
