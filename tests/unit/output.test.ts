import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputHost, colorEnabled } from '../../src/core/output.js';

const tty = { isTTY: true };

describe('colour and animation decisions', () => {
  it('colour only on a terminal, off for NO_COLOR and TERM=dumb, on for FORCE_COLOR', () => {
    expect(colorEnabled(tty, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('warnings carry no escape codes under NO_COLOR, and progress is not animated under CI', () => {
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const out = new OutputHost({ stdout: new PassThrough(), stderr, env: { NO_COLOR: '1', CI: 'true' } });
    out.warn('careful');
    expect(stderr.read().toString()).toBe('warning: careful\n');
    expect(out.interactive).toBe(false);
  });

  it('--quiet silences progress but not warnings', () => {
    const stderr = new PassThrough();
    const out = new OutputHost({ stdout: new PassThrough(), stderr, env: {} }).configure({ quiet: true });
    out.info('page 1');
    out.warn('skipped');
    expect(stderr.read().toString()).toBe('warning: skipped\n');
  });
});
