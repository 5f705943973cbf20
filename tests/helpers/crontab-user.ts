import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';

/**
 * A throwaway system user whose crontab tests may change, so the crontab of whoever runs the
 * tests is never touched. Needs root (CI runs tests as root) and Debian's crontab: suites using it ask need('crontab') (./capabilities.ts).
 */

export interface ThrowawayUser {
  name: string;
  /** The crontab as `crontab -l` prints it; null when the user has none. */
  crontab(): string | null;
  setCrontab(text: string): void;
  remove(): void;
}

export function createThrowawayUser(): ThrowawayUser {
  const name = `fst${crypto.randomBytes(5).toString('hex')}`;
  const added = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`useradd ${name} failed: ${added.stderr}`);
  return {
    name,
    crontab() {
      const r = spawnSync('crontab', ['-u', name, '-l'], { encoding: 'utf8' });
      if (r.status === 0) return r.stdout;
      if (/no crontab for/.test(r.stderr)) return null;
      throw new Error(`crontab -l failed: ${r.stderr}`);
    },
    setCrontab(text) {
      const r = spawnSync('crontab', ['-u', name, '-'], { input: text, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`crontab - failed: ${r.stderr}`);
    },
    remove() {
      spawnSync('crontab', ['-u', name, '-r']);
      spawnSync('userdel', [name]);
    },
  };
}
