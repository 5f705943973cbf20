import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script (Node built-ins only), without type declarations
import { REQUIREMENTS, installHint, nodeModulesCurrent, plan } from '../../scripts/test.mjs';
import { COMMANDS, isCapability, required } from '../helpers/capabilities.js';

/** The test command (scripts/test.mjs): what it would install, and what it says when it cannot. */

interface Requirement {
  name: string;
  describe: string;
  applies?: () => boolean;
  commands?: Record<string, string>;
  commandDirs?: () => string[];
}
const requirements = REQUIREMENTS as Requirement[];
const byName = (name: string) => requirements.find((r) => r.name === name)!;
const always = (r: Requirement): Requirement => ({ ...r, applies: () => true });

describe('the test command', () => {
  it('names only capabilities the tests know, with the commands the tests run', () => {
    for (const r of requirements) {
      expect(isCapability(r.name), r.name).toBe(true);
      expect(Object.keys(r.commands ?? {}).sort(), r.name).toEqual([...COMMANDS[r.name as keyof typeof COMMANDS]].sort());
    }
    // What it sets is what the helper accepts.
    expect([...required({ FATHOM_SYNC_TEST_REQUIRE: requirements.map((r) => r.name).join(',') })]).toEqual(requirements.map((r) => r.name));
  });

  it('plans the Debian packages for the missing commands, once each, and nothing when all are there', () => {
    const all = requirements.map(always);
    const has = (present: string[]) => (command: string) => present.includes(command);
    const planned = plan(all, { has: has(['crontab', 'dbus-daemon', 'dbus-send', 'setpriv']) });
    expect(planned.packages).toEqual(['chromium', 'gnome-keyring', 'mount', 'passwd', 'postgresql', 'sqlite3', 'tmux']);
    expect(planned.missing.map((m: { requirement: Requirement }) => m.requirement.name)).toEqual(['tmux', 'crontab', 'secret-service', 'tmpfs-mount', 'sqlite3', 'chromium', 'postgresql']);
    const everything = Object.values(COMMANDS).flat();
    expect(plan(all, { has: has(everything) }).packages).toEqual([]);
  });

  it('leaves out what does not apply here and what FATHOM_SYNC_TEST_WITHOUT names; an unknown name is an error', () => {
    const all = requirements.map((r) => (r.name === 'crontab' ? { ...r, applies: () => false } : always(r)));
    const planned = plan(all, { has: () => false, without: ['tmux'] });
    expect(planned.wanted.map((r: Requirement) => r.name)).toEqual(['secret-service', 'unprivileged-user', 'tmpfs-mount', 'sqlite3', 'chromium', 'postgresql']);
    expect(() => plan(all, { without: ['tmuxx'] })).toThrow(/FATHOM_SYNC_TEST_WITHOUT names tmuxx/);
  });

  it("looks for a requirement's commands in its commandDirs too (Debian keeps PostgreSQL's off PATH)", () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'test-command-bin-'));
    try {
      const command = 'fathom-sync-test-initdb';
      fs.writeFileSync(path.join(bin, command), '#!/bin/sh\n', { mode: 0o755 });
      const offPath: Requirement = { name: 'postgresql', describe: 'x', commands: { [command]: 'postgresql' } };
      expect(plan([offPath]).packages).toEqual(['postgresql']);
      expect(plan([{ ...offPath, commandDirs: () => [bin] }]).packages).toEqual([]);
      expect(plan([{ ...offPath, commandDirs: () => [] }]).packages).toEqual(['postgresql']);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('says in one line exactly what to install when it cannot (not root, or no apt-get)', () => {
    const planned = plan([byName('tmux'), byName('sqlite3')].map(always), { has: () => false });
    const notRoot = installHint(planned, { root: false, apt: true });
    expect(notRoot).not.toContain('\n');
    expect(notRoot).toContain('Run: sudo apt-get install sqlite3 tmux ');
    expect(notRoot).toContain('FATHOM_SYNC_TEST_WITHOUT=tmux,sqlite3');
    expect(installHint(planned, { root: true, apt: false })).toContain('install the equivalent of the Debian packages sqlite3 tmux');
  });

  describe('node_modules against package-lock.json', () => {
    let dir = '';
    afterEach(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      dir = '';
    });
    const write = (file: string, packages: object) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), JSON.stringify({ lockfileVersion: 3, packages }));
    };

    it('is current only when every non-optional locked package is installed at its version', () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-command-'));
      const lock = { '': { name: 'x' }, 'node_modules/a': { version: '1.0.0' }, 'node_modules/fsevents': { version: '2.0.0', optional: true } };
      write('package-lock.json', lock);
      expect(nodeModulesCurrent(dir)).toBe(false); // no node_modules
      write('node_modules/.package-lock.json', { 'node_modules/a': { version: '1.0.0' } });
      expect(nodeModulesCurrent(dir)).toBe(true);
      write('node_modules/.package-lock.json', { 'node_modules/a': { version: '0.9.0' } });
      expect(nodeModulesCurrent(dir)).toBe(false);
    });

    it('holds for this checkout, installed by npm ci', () => {
      expect(nodeModulesCurrent()).toBe(true);
    });
  });
});
