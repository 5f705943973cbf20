import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
// @ts-expect-error: a plain .mjs script (Node built-ins only), without type declarations
import { tmpfsMountProblem } from '../../scripts/test.mjs';
import { CLI } from './cli.js';

/**
 * What some suites need from the machine beyond Node, and whether they may be skipped without it.
 *
 * Each suite that needs a capability asks `need('name')` and skips with the reason in its title
 * when it is missing:
 *
 *   const tmux = need('tmux');
 *   describe.skipIf(tmux.skip)(tmux.title('run at a terminal'), () => { ... });
 *
 * The test command (scripts/test.mjs) installs or checks what the suites need, then names those
 * capabilities in FATHOM_SYNC_TEST_REQUIRE (comma-separated). A capability named there must be
 * available: need() throws instead of skipping, so the test file fails to load and the run fails,
 * loudly, rather than passing with a suite skipped. Run vitest directly (no FATHOM_SYNC_TEST_REQUIRE)
 * and missing capabilities are skipped, each with its reason.
 *
 * Adding one: a probe here returning why it is unavailable (or null), and a requirement of the same
 * name in scripts/test.mjs that installs it, starts it if it is a service and passes what the tests
 * need to reach it in environment variables, which the probe checks (as `postgresql` does).
 */

/**
 * The commands each capability runs. scripts/test.mjs installs the same ones (a unit test,
 * tests/unit/test-command.test.ts, keeps the two lists in step).
 */
export const COMMANDS = {
  tmux: ['tmux'],
  crontab: ['crontab', 'useradd', 'userdel'],
  'secret-service': ['dbus-daemon', 'dbus-send', 'gnome-keyring-daemon'],
  'unprivileged-user': ['setpriv'],
  'tmpfs-mount': ['mount', 'umount'],
  sqlite3: ['sqlite3'],
  chromium: ['chromium'],
  plutil: ['plutil'],
  /** Run by the test command only, from /usr/lib/postgresql/<version>/bin (off PATH on Debian). */
  postgresql: ['initdb', 'pg_ctl'],
} as const;

/** Capability -> why it is unavailable here, or null when it is available. */
const PROBES = {
  tmux: () => missingCommands(COMMANDS.tmux),
  /** The real crontab(1) of a throwaway system user (tests/helpers/crontab-user.ts). */
  crontab: () => {
    if (process.getuid?.() !== 0) return 'needs root to create a throwaway user and edit its crontab (crontab -u)';
    return missingCommands(COMMANDS.crontab);
  },
  /** A private D-Bus session with gnome-keyring (tests/helpers/secret-service.ts). */
  'secret-service': () => missingCommands(COMMANDS['secret-service']),
  /**
   * Running the CLI as an ordinary user, whom file modes apply to: the tests themselves when not
   * root, else `nobody` through setpriv(1) (see unprivilegedRunner in tests/integration/sync.test.ts).
   */
  'unprivileged-user': () => {
    if (process.getuid?.() !== 0) return null;
    const missing = missingCommands(COMMANDS['unprivileged-user']);
    if (missing) return `running as root, and ${missing}`;
    const probe = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(CLI)}, require('fs').constants.R_OK)`]);
    return probe.status === 0 ? null : `running as root, and user nobody cannot read ${CLI}`;
  },
  /** A small file system of its own for the full-disk tests: a tmpfs, mounted as root on Linux. */
  'tmpfs-mount': () => {
    if (process.platform !== 'linux') return 'tmpfs exists only on Linux';
    if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
    return missingCommands(COMMANDS['tmpfs-mount']) ?? (tmpfsMountProblem() as string | null);
  },
  /** The sqlite3 shell the README points users at. */
  sqlite3: () => missingCommands(COMMANDS.sqlite3),
  /** Debian's chromium, driven by playwright-core (never a browser playwright downloads). */
  chromium: () => (fs.existsSync('/usr/bin/chromium') ? null : '/usr/bin/chromium is not installed (apt-get install -y chromium)'),
  /** Apple's plist checker; the test command cannot provide it. */
  plutil: () => (process.platform === 'darwin' ? missingCommands(COMMANDS.plutil) : 'plutil exists only on macOS'),
  /**
   * A PostgreSQL server that answers at FATHOM_SYNC_TEST_PG_URL, to create throwaway databases on
   * (tests/helpers/postgres.ts). The test command starts one for its run; to use another, run vitest
   * with that variable set (a superuser's URL without a password: put one in PGPASSWORD).
   */
  postgresql: () => postgresProblem(process.env[PG_URL_VARIABLE]),
} satisfies Record<keyof typeof COMMANDS, () => string | null>;

export type Capability = keyof typeof PROBES;

/** setpriv(1) arguments that run a command as `nobody`. */
export const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

export const REQUIRE_VARIABLE = 'FATHOM_SYNC_TEST_REQUIRE';
/** The URL of the PostgreSQL server the test command started (scripts/test.mjs). */
export const PG_URL_VARIABLE = 'FATHOM_SYNC_TEST_PG_URL';

export interface Need {
  readonly capability: Capability;
  /** Why the capability is unavailable, or null when it is available. */
  readonly reason: string | null;
  /** Whether the suite should be skipped (only ever when the capability is not required). */
  readonly skip: boolean;
  /** The title as given, or with "(skipped: <reason>)" so the report says why. */
  title(text: string): string;
}

const cache = new Map<Capability, string | null>();

/** The capability's state for a suite: skip with a reason, run, or (required but missing) throw. */
export function need(capability: Capability): Need {
  if (!cache.has(capability)) cache.set(capability, PROBES[capability]());
  const reason = cache.get(capability)!;
  const mustHave = required().has(capability);
  if (reason !== null && mustHave) {
    throw new Error(
      `${REQUIRE_VARIABLE} names "${capability}" (the test command provided it), but it is unavailable: ${reason}. ` +
        'A suite that needs it must run, not be skipped.',
    );
  }
  return {
    capability,
    reason,
    skip: reason !== null,
    title: (text) => (reason === null ? text : `${text} (skipped: ${reason})`),
  };
}

/** The capabilities the test command named; an unknown name is a mistake, not a capability. */
export function required(env: NodeJS.ProcessEnv = process.env): Set<Capability> {
  const names = (env[REQUIRE_VARIABLE] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(name in PROBES)) throw new Error(`${REQUIRE_VARIABLE} names "${name}", which tests/helpers/capabilities.ts does not know`);
  }
  return new Set(names as Capability[]);
}

export function isCapability(name: string): name is Capability {
  return name in PROBES;
}

/** "tmux is not installed", "crontab and useradd are not installed", or null. */
function missingCommands(commands: readonly string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const missing = commands.filter((command) => !dirs.some((dir) => isExecutable(path.join(dir, command))));
  if (missing.length === 0) return null;
  return `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed`;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Why no PostgreSQL server answers at `url`, or null: one connection and `SELECT 1`, in a child (need() is synchronous). */
function postgresProblem(url: string | undefined): string | null {
  if (!url) return `${PG_URL_VARIABLE} is not set (npm test starts a throwaway PostgreSQL server and sets it)`;
  const script =
    "const { Client } = require(process.argv[1]); const c = new Client({ connectionString: process.argv[2], connectionTimeoutMillis: 5000 });" +
    " c.connect().then(() => c.query('SELECT 1')).then(() => c.end(), (e) => { process.stderr.write(e.message || e.code || String(e)); process.exit(1); });";
  const r = spawnSync(process.execPath, ['-e', script, createRequire(import.meta.url).resolve('pg'), url], { encoding: 'utf8', timeout: 15_000 });
  if (r.status === 0) return null;
  return `no PostgreSQL server answers at ${withoutPassword(url)} (${PG_URL_VARIABLE}): ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
