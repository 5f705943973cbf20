import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { formatClock, parseRecordingTime } from '../../src/domain/recording-time.js';
import { decodeCursor, encodeCursor, fillPage } from '../../src/mcp/paging.js';
import { toolErrorText } from '../../src/mcp/tool-kit.js';
import { DatabaseError } from '../../src/core/errors.js';

describe('fillPage', () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ n: i, text: 'x'.repeat(90) }));
  const render = (item: { text: string }) => item.text;

  it('stops before the item that would not fit, and names it as the next', () => {
    const page = fillPage(items, render, { reserved: 0, budget: 400 });
    // Each item: 91 characters of Markdown (with its newline), 110 of JSON: three fit in 400.
    expect(page.items.map((i) => i.n)).toEqual([0, 1, 2]);
    expect(page.next?.n).toBe(3);
    expect(page.text).toHaveLength(3);
  });

  it('takes everything when it fits, with no next', () => {
    const page = fillPage(items, render, { reserved: 100, budget: 10_000 });
    expect(page.items).toHaveLength(10);
    expect(page.next).toBeNull();
  });

  it('always takes one item, however large, so paging moves on', () => {
    const page = fillPage([{ n: 0, text: 'y'.repeat(5000) }, ...items], render, { reserved: 0, budget: 400 });
    expect(page.items.map((i) => i.n)).toEqual([0]);
    expect(page.next?.n).toBe(0);
  });

  it('reads a streamed source no further than the first item left over', () => {
    let read = 0;
    function* source() {
      for (const item of items) {
        read += 1;
        yield item;
      }
    }
    fillPage(source(), render, { reserved: 0, budget: 400 });
    expect(read).toBe(4);
  });
});

describe('cursors', () => {
  it('round-trip, and anything else is a usage error that says to start again', () => {
    expect(decodeCursor(encodeCursor({ r: 5, s: 10, f: null, t: 60, sp: 'Zoë' }))).toEqual({ v: 1, r: 5, s: 10, f: null, t: 60, sp: 'Zoë' });
    for (const bad of ['', 'abc', Buffer.from('[1]').toString('base64url'), Buffer.from('{"v":2}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(UsageError);
    }
  });
});

describe('moments in a recording', () => {
  it('reads HH:MM:SS, H:MM:SS, MM:SS and seconds; refuses the rest', () => {
    expect(parseRecordingTime('01:02:03')).toBe(3723);
    expect(parseRecordingTime('1:02:03')).toBe(3723);
    expect(parseRecordingTime('02:03')).toBe(123);
    expect(parseRecordingTime('2:03')).toBe(123);
    expect(parseRecordingTime('90')).toBe(90);
    expect(parseRecordingTime(90)).toBe(90);
    for (const bad of ['noon', '1:60', '00:00:75', '-5', '1.5', '']) expect(parseRecordingTime(bad), bad).toBeNull();
    expect(parseRecordingTime(-1)).toBeNull();
    expect(parseRecordingTime(1.5)).toBeNull();
    expect(formatClock(3723)).toBe('01:02:03');
  });
});

describe('tool error sentences', () => {
  it('name arguments, not flags; keep an argument first as written; name the command that fixes the database', () => {
    expect(toolErrorText(new UsageError('--since "x" is not a date (use YYYY-MM-DD)'), ['since'])).toBe('since "x" is not a date (use YYYY-MM-DD).');
    expect(toolErrorText(new UsageError('cannot read the search query: it is empty', 'words must all match'), ['query'])).toBe('Cannot read the search query: it is empty; words must all match.');
    expect(toolErrorText(new UsageError('no meeting 5 in the database', { text: 'Find it with:', commands: ['fathom-sync list'] }))).toBe('No meeting 5 in the database.');
    expect(toolErrorText(new DatabaseError('no meetings synced yet', { text: 'Sync your meetings first:', commands: ['fathom-sync run --all'] }))).toBe(
      'No meetings synced yet. Sync your meetings first: run `fathom-sync run --all` in a terminal.',
    );
    expect(toolErrorText(new Error('disk I/O error'))).toBe('fathom-sync could not answer: disk I/O error.');
  });
});
