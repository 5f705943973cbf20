import { UsageError } from '../core/errors.js';

/**
 * The search language a person can type, turned into an FTS5 MATCH expression that SQLite can
 * never misread: every word and phrase is emitted as a quoted FTS5 string, and the structure
 * (AND, OR, NOT, prefix) is ours, so user text never reaches MATCH as syntax.
 *
 *   pricing discount        both words (all words must match)
 *   "annual plan"           the exact phrase
 *   -competitor             without this word (also -"a phrase"; NOT word works too)
 *   pricing OR cost         either (OR binds tighter than the implicit AND: a OR b c = (a OR b) c)
 *   pric*                   a word starting with "pric"
 *
 * A query that cannot be read is a UsageError (exit 2) that says what is wrong.
 */

export type QueryTerm = { kind: 'word'; text: string; prefix: boolean } | { kind: 'phrase'; text: string };

/** Alternatives of one required clause: any of them may match. */
export interface QueryClause {
  anyOf: QueryTerm[];
}

export interface ParsedQuery {
  /** Every clause must match. */
  required: QueryClause[];
  /** None of these may match. */
  excluded: QueryTerm[];
}

export const MAX_QUERY_LENGTH = 500;
export const MAX_QUERY_TERMS = 32;

type Token = { type: 'term'; term: QueryTerm; negated: boolean } | { type: 'or' };

const bad = (why: string) => new UsageError(`cannot read the search query: ${why}`, 'words must all match; use "quotes" for a phrase, -word to exclude, OR between alternatives, word* for a prefix');

/** Characters that mean nothing to the index (unicode61 splits on them): a "word" made only of them matches nothing. */
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let negateNext = false;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    let negated = negateNext;
    negateNext = false;
    if (c === '-') {
      if (negated) throw bad('"-" twice in a row');
      const next = input[i + 1];
      if (next === undefined || /\s/.test(next)) throw bad('"-" must be followed by the word or "phrase" to leave out, without a space');
      if (next === '-') throw bad('"-" twice in a row');
      negated = true;
      i += 1;
    }
    if (input[i] === '"') {
      const end = input.indexOf('"', i + 1);
      if (end === -1) throw bad('a quote (") is not closed');
      const text = input.slice(i + 1, end).replace(/\s+/g, ' ').trim();
      if (!HAS_WORD_CHAR.test(text)) throw bad('an empty phrase ("")');
      tokens.push({ type: 'term', term: { kind: 'phrase', text }, negated });
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < input.length && !/\s/.test(input[end]!) && input[end] !== '"') end += 1;
    const raw = input.slice(i, end);
    i = end;
    if (raw === 'OR' && !negated) {
      tokens.push({ type: 'or' });
      continue;
    }
    if (raw === 'AND' && !negated) continue; // the implicit operator, spelled out
    if (raw === 'NOT' && !negated) {
      negateNext = true;
      continue;
    }
    const prefix = raw.endsWith('*');
    const text = prefix ? raw.replace(/\*+$/, '') : raw;
    if (text.includes('*')) throw bad(`"${raw}": * may only end a word (pric* finds pricing)`);
    if (!HAS_WORD_CHAR.test(text)) {
      if (prefix) throw bad(`"${raw}": a prefix needs at least one letter or digit before *`);
      // Punctuation alone ("&", "--") is not a word the index knows: leave it out.
      if (negated) throw bad(`"-${raw}" leaves out nothing the index knows`);
      continue;
    }
    tokens.push({ type: 'term', term: { kind: 'word', text, prefix }, negated });
  }
  if (negateNext) throw bad('NOT must be followed by a word or "phrase"');
  return tokens;
}

export function parseSearchQuery(input: string): ParsedQuery {
  if (input.length > MAX_QUERY_LENGTH) throw bad(`it is longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens = tokenize(input);
  const required: QueryClause[] = [];
  const excluded: QueryTerm[] = [];
  let joinNext = false;
  let previousWasTerm = false;
  for (const token of tokens) {
    if (token.type === 'or') {
      if (!previousWasTerm) throw bad(required.length === 0 ? 'OR needs a word before it' : 'OR twice, or OR after a -word');
      joinNext = true;
      previousWasTerm = false;
      continue;
    }
    if (token.negated) {
      if (joinNext) throw bad('OR cannot join a -word (leave out each word on its own)');
      excluded.push(token.term);
      previousWasTerm = false;
      continue;
    }
    if (joinNext) required.at(-1)!.anyOf.push(token.term);
    else required.push({ anyOf: [token.term] });
    joinNext = false;
    previousWasTerm = true;
  }
  if (joinNext) throw bad('OR needs a word after it');
  if (required.length === 0) throw bad(excluded.length ? 'it only leaves words out: add at least one word to find' : 'it is empty');
  const terms = required.reduce((n, c) => n + c.anyOf.length, 0) + excluded.length;
  if (terms > MAX_QUERY_TERMS) throw bad(`it has ${terms} terms; at most ${MAX_QUERY_TERMS}`);
  return { required, excluded };
}

/** An FTS5 string literal: double quotes, inner quotes doubled. */
function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function ftsTerm(term: QueryTerm): string {
  return term.kind === 'word' && term.prefix ? `${ftsString(term.text)}*` : ftsString(term.text);
}

/** The MATCH expression for a parsed query; every piece quoted, the structure parenthesised. */
export function toFtsMatch(query: ParsedQuery): string {
  const clauses = query.required.map((c) => (c.anyOf.length === 1 ? ftsTerm(c.anyOf[0]!) : `(${c.anyOf.map(ftsTerm).join(' OR ')})`));
  let expression = clauses.join(' AND ');
  if (query.required.length > 1) expression = `(${expression})`;
  for (const term of query.excluded) expression = `(${expression} NOT ${ftsTerm(term)})`;
  return expression;
}

/** The words and phrases a hit may contain, for highlighting outside SQLite. */
export function positiveTerms(query: ParsedQuery): QueryTerm[] {
  return query.required.flatMap((c) => c.anyOf);
}
