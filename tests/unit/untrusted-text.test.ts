import { describe, expect, it } from 'vitest';
import { safeLine, safeText } from '../../src/core/safe-text.js';
import { meetingFileName, safeNamePart } from '../../src/domain/file-names.js';
import { csvField, csvRow } from '../../src/domain/csv.js';

describe('meeting text printed to a terminal', () => {
  it('neutralises escape sequences, C1 controls and bidi overrides, keeps newlines and tabs', () => {
    expect(safeText('\u001b[31mred\u001b[0m')).toBe('␛[31mred␛[0m');
    expect(safeText('title\u001b]52;c;ZXZpbA==\u0007')).toBe('title␛]52;c;ZXZpbA==\ufffd');
    expect(safeText('a\u009bb\u202ec')).toBe('a\ufffdbc');
    expect(safeText('line 1\n\tline 2\r\n')).toBe('line 1\n\tline 2\n');
    expect(safeLine('a\nb\tc')).toBe('a b c');
  });
});

describe('file names from titles', () => {
  it('cannot leave the folder, hide, or use a reserved or forbidden name', () => {
    expect(safeNamePart('../../etc/passwd')).toBe('etc passwd');
    expect(safeNamePart('/abs/path')).toBe('abs path');
    expect(safeNamePart('C:\\Windows\\x')).toBe('C Windows x');
    expect(safeNamePart('..')).toBe('Untitled');
    expect(safeNamePart('.hidden')).toBe('hidden');
    expect(safeNamePart('CON')).toBe('_CON');
    expect(safeNamePart('nul.txt')).toBe('_nul.txt');
    expect(safeNamePart('What? <Q3> "plan" | a*b: done.')).toBe('What Q3 plan a b done');
    expect(safeNamePart('tab\tand\u001b[31mescape')).toBe('tab and [31mescape');
    expect(safeNamePart(null)).toBe('Untitled');
    expect(safeNamePart('   ')).toBe('Untitled');
  });

  it('stays under the byte limit without splitting a character', () => {
    const long = safeNamePart('é'.repeat(300));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(120);
    expect(long).toBe('é'.repeat(60));
  });

  it('names a meeting by date, title and id', () => {
    expect(meetingFileName({ created_at: '2026-03-04T10:00:00.000Z', title: 'Acme / renewal', recording_id: 42 })).toBe('2026-03-04 Acme renewal (42).md');
  });
});

describe('CSV cells', () => {
  it('quotes as RFC 4180 and neutralises formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-2)).toBe('-2');
    expect(csvField(null)).toBe('');
    expect(csvRow(['a', 1, true])).toBe('a,1,true\r\n');
  });
});
