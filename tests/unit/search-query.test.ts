import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseSearchQuery, toFtsMatch } from '../../src/domain/search-query.js';

const match = (q: string) => toFtsMatch(parseSearchQuery(q));

describe('the search language', () => {
  it('words must all match, phrases stay together, -word excludes, OR joins, word* is a prefix', () => {
    expect(match('pricing')).toBe('"pricing"');
    expect(match('pricing discount')).toBe('("pricing" AND "discount")');
    expect(match('"annual plan"')).toBe('"annual plan"');
    expect(match('pricing -competitor')).toBe('("pricing" NOT "competitor")');
    expect(match('pricing OR cost renewal')).toBe('(("pricing" OR "cost") AND "renewal")');
    expect(match('pric*')).toBe('"pric"*');
    expect(match('pricing -"free tier" NOT trial')).toBe('(("pricing" NOT "free tier") NOT "trial")');
    expect(match('pricing AND plan')).toBe('("pricing" AND "plan")');
  });

  it('lowercase or/and/not are ordinary words', () => {
    expect(match('this or that')).toBe('("this" AND "or" AND "that")');
  });

  it('never passes user text as FTS5 syntax: quotes, parentheses, colons and column filters are quoted', () => {
    expect(match('title:secret')).toBe('"title:secret"');
    expect(match('a(b) NEAR')).toBe('("a(b)" AND "NEAR")');
    expect(match('"a" "b c"')).toBe('("a" AND "b c")');
  });

  it('drops punctuation-only words, which the index cannot find', () => {
    expect(match('Q&A & roadmap')).toBe('("Q&A" AND "roadmap")');
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['"unclosed', /not closed/],
    ['OR pricing', /OR needs a word before/],
    ['pricing OR', /OR needs a word after/],
    ['a OR OR b', /OR twice/],
    ['-competitor', /only leaves words out/],
    ['pricing - plan', /followed by the word/],
    ['--x', /twice in a row/],
    ['a OR -b', /OR cannot join a -word/],
    ['*', /prefix needs at least one letter/],
    ['pr*ce', /may only end a word/],
    ['""', /empty phrase/],
    ['pricing NOT', /NOT must be followed/],
    ['x'.repeat(501), /longer than 500/],
    [Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '), /at most 32/],
  ])('%j is refused with one line that says why', (query, why) => {
    let err: unknown;
    try {
      parseSearchQuery(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).not.toMatch(/\n|sqlite|fts5/i);
  });

  it('every expression it builds is valid FTS5 and finds what it should', () => {
    const db = new Database(':memory:');
    db.exec("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2')");
    const rows = ['pricing for the annual plan', 'cost of a competitor', 'pricing versus competitor', 'café naïve', 'the free tier pricing'];
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    for (const r of rows) insert.run(r);
    const find = (q: string) => (db.prepare('SELECT x FROM t WHERE t MATCH ? ORDER BY rowid').all(match(q)) as { x: string }[]).map((r) => r.x);
    expect(find('pricing -competitor')).toEqual(['pricing for the annual plan', 'the free tier pricing']);
    expect(find('pricing -"free tier"')).toEqual(['pricing for the annual plan', 'pricing versus competitor']);
    expect(find('pric* OR cost competitor')).toEqual(['cost of a competitor', 'pricing versus competitor']);
    expect(find('"annual plan"')).toEqual(['pricing for the annual plan']);
    expect(find('cafe')).toEqual(['café naïve']);
    expect(find('title:x OR (y')).toEqual([]);
  });
});
