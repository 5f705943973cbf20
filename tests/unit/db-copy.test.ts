import { describe, expect, it } from 'vitest';
import { parseCopyTarget } from '../../src/commands/db.js';
import { UsageError } from '../../src/core/errors.js';
import { COPY_TABLES, firstPerKey, groupByWeight, missingRows, shortfalls, type TableCount } from '../../src/domain/copy-plan.js';

/** The pure parts of `db copy`: batches by weight, folding keys, the verdict, and --to. */

describe('groupByWeight', () => {
  it('fills each group up to the budget, in order, a heavy item alone', () => {
    const items = [3, 4, 2, 9, 1, 1, 12, 5];
    expect(groupByWeight(items, (n) => n, 9)).toEqual([[3, 4, 2], [9], [1, 1], [12], [5]]);
  });

  it('counts an item as one row at least, and makes no empty group', () => {
    expect(groupByWeight([0, 0, 0], (n) => n, 2)).toEqual([[0, 0], [0]]);
    expect(groupByWeight([], (n: number) => n, 5)).toEqual([]);
  });
});

describe('firstPerKey', () => {
  it('keeps the first row of each key', () => {
    const rows = [{ email: 'Ann@x.io', n: 1 }, { email: 'bob@x.io', n: 2 }, { email: 'ann@X.io', n: 3 }];
    expect(firstPerKey(rows, (r) => r.email.toLowerCase())).toEqual([rows[0], rows[1]]);
  });
});

describe('the verdict', () => {
  const count = (c: Partial<TableCount>): TableCount => ({ table: 'meetings', source_rows: 10, copied: 0, present: 10, superseded: 0, ...c });

  it('a table is whole when every source row is present or superseded by a newer meeting in the target', () => {
    expect(missingRows(count({}))).toBe(0);
    expect(missingRows(count({ table: 'transcript_segments', present: 7, superseded: 3 }))).toBe(0);
    expect(missingRows(count({ present: 12 }))).toBe(0);
  });

  it('names the tables that lack rows, with how many', () => {
    expect(shortfalls([count({}), count({ table: 'highlights', source_rows: 5, present: 2, superseded: 1 }), count({ table: 'sync_runs', present: 9 })])).toEqual([
      { table: 'highlights', missing: 2, source_rows: 5 },
      { table: 'sync_runs', missing: 1, source_rows: 10 },
    ]);
  });

  it('covers every table of the schema, meetings first', () => {
    expect(COPY_TABLES[0]).toBe('meetings');
    expect(new Set(COPY_TABLES).size).toBe(14);
  });
});

describe('parseCopyTarget', () => {
  it('takes postgres:// and postgresql:// connection strings', () => {
    expect(parseCopyTarget(' postgres://me@db.example/fathom ')).toBe('postgres://me@db.example/fathom');
    expect(parseCopyTarget('postgresql://me@db.example:6432/fathom')).toBe('postgresql://me@db.example:6432/fathom');
  });

  it('refuses anything else with a usage error that never repeats the value', () => {
    for (const bad of [undefined, '  ', 'mysql://u:s3cret@h/db', 's3cret@h', 'postgres://u:s3cret@[h/db']) {
      let error: unknown;
      try {
        parseCopyTarget(bad);
      } catch (err) {
        error = err;
      }
      expect(error, String(bad)).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
