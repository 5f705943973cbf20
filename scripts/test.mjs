#!/usr/bin/env node
/**
 * The test command, `npm test` (`npm test -- tests/unit` passes arguments on to vitest). Only Node
 * built-ins, so it runs on a fresh clone:
 *
 *  1. the REQUIREMENTS below: what the tests need from the machine. Root on Debian/apt: installs
 *     what is missing with apt-get, saying in one line what; otherwise stops at once with one line
 *     naming exactly what to install;
 *  2. `npm ci` when node_modules is missing or does not match package-lock.json (as root on
 *     Debian, installing python3, make and g++ first when missing: better-sqlite3 builds from
 *     source when no prebuilt binary can be fetched);
 *  3. `npm run build`;
 *  4. vitest, with FATHOM_SYNC_TEST_REQUIRE naming every requirement met, so a suite needing one
 *     of them fails instead of skipping (tests/helpers/capabilities.ts), plus whatever the
 *     requirements' provide() returned (a service's address); then stops those services and exits
 *     with vitest's code.
 *
 * FATHOM_SYNC_TEST_WITHOUT=tmux,crontab leaves those requirements out: nothing is installed for
 * them, and their suites skip, each saying why.
 *
 * Each requirement has a probe of the same name in tests/helpers/capabilities.ts. One is a service:
 * `postgresql`. Its commands (initdb, pg_ctl) are off PATH on Debian, in
 * /usr/lib/postgresql/<version>/bin (its commandDirs). Its provide() initdb's a throwaway server in a
 * fresh temporary directory (as user nobody when root: initdb refuses root), starts it on 127.0.0.1 at
 * a free port with its Unix socket in that directory, and hands vitest FATHOM_SYNC_TEST_PG_URL
 * (postgres://postgres@127.0.0.1:PORT/postgres: trust authentication, no password) and
 * FATHOM_SYNC_TEST_PG_SOCKET_DIR; after vitest exits its stop() stops the server (-m immediate) and
 * removes the directory. The probe checks that a server answers at FATHOM_SYNC_TEST_PG_URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = () => process.getuid?.() === 0;
const isLinux = () => process.platform === 'linux';
/** setpriv(1) arguments that run a command as user nobody. */
const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const NOBODY = 65534;

/**
 * @typedef {object} Provided
 * @property {Record<string, string>} [env] variables the tests need to use the requirement
 * @property {() => Promise<void> | void} [stop] called after vitest exits
 *
 * @typedef {object} Requirement
 * @property {string} name the capability it provides (tests/helpers/capabilities.ts)
 * @property {string} describe what it is, for messages
 * @property {() => boolean} [applies] whether the tests use it on this machine (default: always)
 * @property {Record<string, string>} [commands] commands needed on PATH -> the Debian package with each
 * @property {() => string[]} [commandDirs] directories besides PATH that hold its commands
 * @property {() => string[]} [missingPackages] Debian packages to install (default: from `commands`)
 * @property {() => string | null} [verify] after installing: why it still cannot be used (not fixable by installing), or null
 * @property {() => Promise<Provided>} [provide] after installing: start what the tests need (a service)
 */

/** @type {Requirement[]} */
export const REQUIREMENTS = [
  {
    name: 'tmux',
    describe: 'a terminal for the progress-bar and prompt tests (tmux)',
    commands: { tmux: 'tmux' },
  },
  {
    name: 'crontab',
    describe: 'the real crontab of a throwaway user (crontab, useradd)',
    // Editing another user's crontab needs root; without it the suites skip, saying so.
    applies: () => isLinux() && isRoot(),
    commands: { crontab: 'cron', useradd: 'passwd', userdel: 'passwd' },
  },
  {
    name: 'secret-service',
    describe: 'a Secret Service on a private D-Bus session (dbus-daemon, gnome-keyring)',
    applies: isLinux,
    commands: { 'dbus-daemon': 'dbus', 'dbus-send': 'dbus', 'gnome-keyring-daemon': 'gnome-keyring' },
  },
  {
    name: 'unprivileged-user',
    describe: 'running the CLI as user nobody (setpriv)',
    // As root the file-permission tests run the CLI as nobody; as anyone else, as themselves.
    applies: () => isLinux() && isRoot(),
    commands: { setpriv: 'util-linux' },
    verify: () => {
      const cli = path.join(ROOT, 'bin', 'fathom-sync.js');
      const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cli)}, require('fs').constants.R_OK)`]);
      return r.status === 0 ? null : `user nobody cannot read ${cli} (a directory above it is not world-readable)`;
    },
  },
  {
    name: 'tmpfs-mount',
    describe: 'a small tmpfs for the full-disk tests (mount, as root)',
    // Mounting needs root (and, in a container, CAP_SYS_ADMIN: verify says when it is missing).
    applies: () => isLinux() && isRoot(),
    commands: { mount: 'mount', umount: 'mount' },
    verify: () => tmpfsMountProblem(),
  },
  {
    name: 'sqlite3',
    describe: 'the sqlite3 shell the README points at',
    commands: { sqlite3: 'sqlite3' },
  },
  {
    name: 'chromium',
    describe: "a headless browser for the web page fathom-sync ships (Debian's chromium)",
    commands: { chromium: 'chromium' },
  },
  {
    name: 'postgresql',
    describe: 'a throwaway PostgreSQL server (initdb, pg_ctl)',
    applies: isLinux,
    commands: { initdb: 'postgresql', pg_ctl: 'postgresql' },
    // Debian keeps the server's programs off PATH, in /usr/lib/postgresql/<version>/bin.
    commandDirs: () => [postgresBinDir()].filter(Boolean),
    provide: () => startThrowawayPostgres(),
  },
];

/**
 * The directory holding PostgreSQL's initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<version>/bin,
 * else the one on PATH, else null. Also the tests' (tests/helpers/capabilities.ts).
 */
export function postgresBinDir(env = process.env) {
  const root = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout
  }
  const dirs = [...versions.map((v) => path.join(root, v, 'bin')), ...pathDirs(env)];
  return dirs.find((dir) => isExecutableFile(path.join(dir, 'initdb'))) ?? null;
}

/**
 * Starts a PostgreSQL server for this run only, in a fresh temporary directory that holds its data,
 * log and Unix socket: trust authentication, user postgres, 127.0.0.1 on a free port. initdb refuses
 * to run as root, so as root the server runs as user nobody (who owns the directory, mode 0700).
 * @returns {Promise<Provided>}
 */
async function startThrowawayPostgres() {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: initdb was not found (apt-get install postgresql)');
  const asNobody = isRoot();
  if (asNobody && !onPath('setpriv')) throw new Error('running as root, and setpriv (util-linux) is needed to run PostgreSQL as user nobody');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fathom-sync-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const run = (program, args) => {
    const [command, all] = asNobody ? ['setpriv', [...AS_NOBODY, path.join(bin, program), ...args]] : [path.join(bin, program), args];
    // cwd: a directory nobody can enter; server output goes to the log, never to a pipe pg_ctl would leave open.
    const r = spawnSync(command, all, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: r.status === 0, said: `${r.stderr ?? ''}${r.stdout ?? ''}`.trim() || r.error?.message || `exit ${r.status}` };
  };
  let started = false;
  const stop = () => {
    if (started) {
      const r = run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      // Left in place when the server may still run, for whoever looks into it.
      if (!r.ok) throw new Error(`pg_ctl stop failed for the server in ${dir}: ${r.said}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asNobody) fs.chownSync(dir, NOBODY, NOBODY);
    fs.chmodSync(dir, 0o700);
    const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    if (!init.ok) throw new Error(`initdb failed: ${init.said}`);
    // Many test files run at once, each with a few connections.
    const options = (port) => `-c listen_addresses=127.0.0.1 -p ${port} -k '${dir}' -c fsync=off -c max_connections=200`;
    for (let attempt = 1; !started; attempt++) {
      const port = await freePort();
      const start = run('pg_ctl', ['-D', data, '-l', log, '-o', options(port), '-w', 'start']);
      if (start.ok) {
        started = true;
        return { env: { FATHOM_SYNC_TEST_PG_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, FATHOM_SYNC_TEST_PG_SOCKET_DIR: dir }, stop };
      }
      // Another process may have taken the port in between: try another, twice.
      if (attempt === 3) throw new Error(`pg_ctl start failed: ${start.said}\n${readTail(log)}`);
    }
  } catch (err) {
    try {
      stop();
    } catch {
      // the first error says more
    }
    throw err;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function readTail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Why a tmpfs cannot be mounted here (a container without CAP_SYS_ADMIN), or null. Also the tests' probe. */
export function tmpfsMountProblem() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-tmpfs-probe-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (r.status !== 0) return `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}`;
    spawnSync('umount', [dir]);
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `npm ci` needs when better-sqlite3 has to be built from source. */
const BUILD_TOOLS = { python3: 'python3', make: 'make', 'g++': 'g++' };

export const WITHOUT_VARIABLE = 'FATHOM_SYNC_TEST_WITHOUT';
export const REQUIRE_VARIABLE = 'FATHOM_SYNC_TEST_REQUIRE';

/** Whether `command` is an executable file in one of PATH's directories. */
export function onPath(command, env = process.env) {
  return pathDirs(env).some((dir) => isExecutableFile(path.join(dir, command)));
}

function pathDirs(env = process.env) {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean);
}

function isExecutableFile(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Debian packages for the commands found neither on PATH nor in `dirs`. */
function packagesFor(commands, has, dirs = []) {
  return [...new Set(Object.entries(commands ?? {}).filter(([command]) => !has(command, dirs)).map(([, pkg]) => pkg))];
}

/** Whether `command` is on PATH or in one of `dirs`. */
const installed = (command, dirs = []) => onPath(command) || dirs.some((dir) => isExecutableFile(path.join(dir, command)));

/**
 * Which requirements apply here, and which Debian packages they lack.
 * @param {Requirement[]} requirements
 * @param {{ has?: (command: string, dirs: string[]) => boolean, without?: string[] }} [options]
 *   has: whether a command is installed, on PATH or in one of the requirement's commandDirs
 */
export function plan(requirements, { has = installed, without = [] } = {}) {
  const unknown = without.filter((name) => !requirements.some((r) => r.name === name));
  if (unknown.length) throw new Error(`${WITHOUT_VARIABLE} names ${unknown.join(', ')}; known: ${requirements.map((r) => r.name).join(', ')}`);
  const wanted = requirements.filter((r) => (r.applies?.() ?? true) && !without.includes(r.name));
  const missing = wanted
    .map((r) => ({ requirement: r, packages: r.missingPackages ? r.missingPackages() : packagesFor(r.commands, has, r.commandDirs?.() ?? []) }))
    .filter((m) => m.packages.length > 0);
  return { wanted, missing, packages: [...new Set(missing.flatMap((m) => m.packages))].sort() };
}

/** The one line that says what to install, when this script cannot. */
export function installHint({ missing, packages }, { root = isRoot(), apt = onPath('apt-get') } = {}) {
  const what = missing.map((m) => m.requirement.describe).join('; ');
  const names = missing.map((m) => m.requirement.name).join(',');
  const how = apt ? `${root ? '' : 'sudo '}apt-get install ${packages.join(' ')}` : `install the equivalent of the Debian packages ${packages.join(' ')}`;
  return `npm test: the tests need ${what}. Run: ${how} (or set ${WITHOUT_VARIABLE}=${names} to skip those tests)`;
}

/** Runs a command quietly; on failure prints what it said and exits. */
function quietly(command, args, env = process.env) {
  const r = spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    fail(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
}

function fail(message) {
  process.stderr.write(`npm test: ${message}\n`);
  process.exit(1);
}

/** Installs Debian packages as root with apt-get, or stops with the line that says how. */
function install(planned, why) {
  if (planned.packages.length === 0) return;
  if (!isRoot() || !onPath('apt-get')) {
    process.stderr.write(`${installHint(planned)}\n`);
    process.exit(1);
  }
  process.stderr.write(`npm test: installing ${planned.packages.join(' ')} (${why})\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  quietly('apt-get', ['update', '-qq'], env);
  quietly('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...planned.packages], env);
}

/** Whether node_modules holds exactly what package-lock.json lists (optional packages aside). */
export function nodeModulesCurrent(root = ROOT) {
  let lock;
  let installed;
  try {
    lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages ?? {};
    // npm's record of what it installed: written by every npm ci / npm install.
    installed = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', '.package-lock.json'), 'utf8')).packages ?? {};
  } catch {
    return false;
  }
  return Object.entries(lock).every(([key, entry]) => key === '' || entry.optional || installed[key]?.version === entry.version);
}

function ensureNodeModules() {
  if (nodeModulesCurrent()) return;
  const tools = packagesFor(BUILD_TOOLS, (c) => onPath(c));
  const canInstall = isRoot() && onPath('apt-get');
  if (tools.length && canInstall) {
    const requirement = { name: 'build-tools', describe: 'python3, make and g++ to build better-sqlite3' };
    install({ missing: [{ requirement, packages: tools }], packages: tools }, 'to build better-sqlite3 during npm ci');
  }
  process.stderr.write('npm test: node_modules is missing or does not match package-lock.json: npm ci\n');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  if (r.status === 0) return;
  process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  // Without a prebuilt binary to download, better-sqlite3 builds from source.
  const hint = tools.length && !canInstall ? `; better-sqlite3 may need ${tools.join(', ')} to build: ${onPath('apt-get') ? 'sudo apt-get install' : 'install'} ${tools.join(' ')}` : '';
  fail(`npm ci failed (${r.error?.message ?? `exit ${r.status}`})${hint}`);
}

async function main() {
  const args = process.argv.slice(2);
  const without = (process.env[WITHOUT_VARIABLE] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let planned;
  try {
    planned = plan(REQUIREMENTS, { without });
  } catch (err) {
    fail(err.message);
  }
  install(planned, `for: ${planned.missing.map((m) => m.requirement.name).join(', ')}`);
  const after = plan(REQUIREMENTS, { without });
  if (after.packages.length) fail(`still missing after apt-get install: ${after.packages.join(' ')}`);

  ensureNodeModules();
  quietly('npm', ['run', '--silent', 'build']);

  const env = { ...process.env };
  const stops = [];
  let code = 1;
  try {
    const met = [];
    for (const requirement of planned.wanted) {
      const reason = requirement.verify?.() ?? null;
      if (reason) {
        // Not something an install fixes: its suites skip, and say why.
        process.stderr.write(`npm test: ${requirement.name} is unavailable here: ${reason}; its tests will be skipped\n`);
        continue;
      }
      if (requirement.provide) {
        const provided = await requirement.provide();
        Object.assign(env, provided.env ?? {});
        if (provided.stop) stops.push(provided.stop);
      }
      met.push(requirement.name);
    }
    const earlier = (process.env[REQUIRE_VARIABLE] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    env[REQUIRE_VARIABLE] = [...new Set([...earlier, ...met])].join(',');
    code = await runVitest(args, env);
  } catch (err) {
    process.stderr.write(`npm test: ${err.message}\n`);
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        process.stderr.write(`npm test: stopping a test service failed: ${err.message}\n`);
      }
    }
  }
  process.exit(code);
}

/** Runs vitest with the arguments given; resolves with its exit code. */
function runVitest(args, env) {
  const vitest = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], { cwd: ROOT, env, stdio: 'inherit' });
  // Ctrl-C reaches vitest directly (same process group): wait for it, then stop the services.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => vitest.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    vitest.once('error', reject);
    vitest.once('close', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
