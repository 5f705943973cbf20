import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../src/domain/search-query.js';
import { TextMatcher, snippetOf, tokenize } from '../../src/domain/text-match.js';

const matches = (query: string, text: string) => new TextMatcher(parseSearchQuery(query)).match(text) !== null;

describe('the search language on one text (as the unicode61 index reads it)', () => {
  it('words are letters and digits; case and accents do not count', () => {
    expect(tokenize('Café-crème, 2x Q3!').map((t) => t.norm)).toEqual(['cafe', 'creme', '2x', 'q3']);
    expect(matches('cafe', 'Un café, svp')).toBe(true);
    expect(matches('CAFÉ', 'un cafe')).toBe(true);
    expect(matches('budget', 'budgets are due')).toBe(false);
  });

  it('all words, phrases in order, OR, prefix and exclusion', () => {
    expect(matches('budget friday', 'the budget is due on Friday')).toBe(true);
    expect(matches('budget friday', 'the budget is due')).toBe(false);
    expect(matches('"next quarter"', 'plans for the next quarter')).toBe(true);
    expect(matches('"next quarter"', 'the quarter after next')).toBe(false);
    expect(matches('pricing OR cost', 'what does it cost')).toBe(true);
    expect(matches('pric*', 'the pricing page')).toBe(true);
    expect(matches('budget -friday', 'the budget is due on Friday')).toBe(false);
    expect(matches('東京', '東京のチーム')).toBe(false); // a run of CJK letters is one word, as in the index
    expect(matches('東京のチーム', '東京のチーム、来週')).toBe(true);
  });

  it('snippets mark every matched word and cut long text around the first match', () => {
    const text = `${'filler '.repeat(30)}we talked budget and the Budget again ${'tail '.repeat(30)}`;
    const m = new TextMatcher(parseSearchQuery('budget')).match(text)!;
    const snippet = snippetOf(text, m, '[', ']', 12);
    expect(snippet).toMatch(/^….*\[budget\] and the \[Budget\].*…$/);
    expect(snippet.split(' ').length).toBeLessThanOrEqual(14);
  });
});
