import path from 'node:path';
import { formatDuration } from '../core/duration.js';
import {
  DatabaseBusyError,
  DatabaseCorruptError,
  DatabaseFullError,
  DatabaseIoError,
  DatabasePermissionError,
  errorMessage,
  type DatabaseFailure,
  type DatabaseFailureKind,
  type Fix,
} from '../core/errors.js';
import { accessBlocker, currentUser, existingDir, formatBytes, freeBytes, lsFacts, type AccessBlocker, type FileFacts, type UserFacts } from '../core/file-facts.js';
import { shellQuote } from '../core/shell-quote.js';
import type { StorageCall, StorageFailureClassifier } from './storage-failures.js';

/**
 * The SQLite classifier: better-sqlite3's SqliteError codes (SQLITE_BUSY, SQLITE_FULL,
 * SQLITE_READONLY_DIRECTORY, ...) and the errno codes of the file calls around them (ENOSPC,
 * EACCES, EROFS, ...) become typed errors that say what happened to which file, with the facts
 * (free space, owner and mode) and the command that fixes it.
 */

export interface SqliteFailureOptions {
  /** How long SQLite waited for another program's lock before giving up (busy_timeout). */
  busyTimeoutMs: number;
  platform?: NodeJS.Platform;
  user?: UserFacts;
}

/** Below this much free space an I/O error on write is a full disk in disguise (tmpfs, quotas). */
const NEARLY_FULL_BYTES = 64 * 1024;
/** The least any write needs: a few pages of WAL and its checkpoint into the database file. */
const MIN_NEEDED_BYTES = 1024 * 1024;
/**
 * Bytes a write needs per byte of its arguments as JSON. A page of meetings, stored, takes about
 * 2.4x its payload (measured: the raw JSON, columns, transcript rows, indexes and full-text
 * indexes) and is written twice, into the WAL and, at the checkpoint, into the database file:
 * about 5x the payload. Its arguments carry each meeting twice (validated and raw): 2.5x those.
 */
const GROWTH_FACTOR = 2.5;

export function sqliteFailures(file: string, options: SqliteFailureOptions): StorageFailureClassifier {
  return { location: file, classify: (err, call) => classifySqliteFailure(file, err, call, options) };
}

export function failureKind(code: string): DatabaseFailureKind | null {
  if (/^SQLITE_(BUSY|LOCKED)/.test(code) || code === 'SQLITE_PROTOCOL') return 'busy';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code === 'SQLITE_READONLY_DBMOVED') return 'io';
  if (/^SQLITE_(READONLY|CANTOPEN)/.test(code) || ['SQLITE_PERM', 'EACCES', 'EPERM', 'EROFS'].includes(code)) return 'permission';
  if (/^SQLITE_CORRUPT/.test(code) || code === 'SQLITE_NOTADB') return 'corrupt';
  if ((/^SQLITE_IOERR/.test(code) && code !== 'SQLITE_IOERR_NOMEM') || code === 'EIO') return 'io';
  return null;
}

export function classifySqliteFailure(file: string, err: unknown, call: StorageCall, options: SqliteFailureOptions): DatabaseFailure | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  let kind = failureKind(code);
  if (kind === 'io' && code !== 'EIO' && call.action === 'write' && (freeBytes(existingDir(file)) ?? Infinity) < NEARLY_FULL_BYTES) kind = 'full';
  switch (kind) {
    case 'busy':
      return busy(file, options);
    case 'full':
      return full(file, code, call);
    case 'permission':
      return permission(file, code, err, call, options.user ?? currentUser());
    case 'corrupt':
      return new DatabaseCorruptError(
        file,
        `database ${file} is damaged (${code}: ${errorMessage(err)})${call.action === 'write' ? '; the sync stopped and wrote nothing more to it' : ''}`,
        moveAsideFix(file, 'The database is damaged.'),
      );
    case 'io':
      return io(file, code, err, options.platform ?? process.platform);
    default:
      return null;
  }
}

/** doctor's fix for a database that cannot be used: restore it, or move it aside and sync again. */
export function moveAsideFix(file: string, why: string): Fix {
  return {
    text: `${why} Restore it from a backup, or move it aside and sync everything again:`,
    commands: [`mv ${shellQuote(file)} ${shellQuote(`${file}.broken`)} && fathom-sync run --all`],
  };
}

/** The fix for a database another program holds open for writing: find that program. */
export function busyFix(file: string, platform: NodeJS.Platform = process.platform): Fix {
  return {
    text: 'Find the program that has it open (a sqlite3 shell inside a transaction, DB Browser with unsaved changes), commit or close it there, then run again:',
    commands: [platform === 'darwin' ? `fuser -u ${shellQuote(file)}` : `fuser -v ${shellQuote(file)}`, `lsof ${shellQuote(file)}`],
  };
}

function busy(file: string, options: SqliteFailureOptions): DatabaseBusyError {
  return new DatabaseBusyError(
    file,
    `database ${file} is locked: another program holds it open for writing (waited ${formatDuration(options.busyTimeoutMs)})`,
    busyFix(file, options.platform),
  );
}

function full(file: string, code: string, call: StorageCall): DatabaseFullError {
  const dir = existingDir(file);
  const free = freeBytes(dir);
  const needed = Math.max(MIN_NEEDED_BYTES, (call.bytes ?? 0) * GROWTH_FACTOR);
  const what = code === 'EDQUOT' ? 'your disk quota is used up' : 'the disk is full';
  return new DatabaseFullError(
    file,
    `no space left for database ${file}: ${what} (${free === null ? 'free space unknown' : `${formatBytes(free)} free`}), and the sync needs at least ${formatBytes(needed)} free${call.bytes ? ' for the page it was writing' : ''}`,
    {
      text: `Free at least ${formatBytes(needed)} on that disk (or move the database to a larger one and pass --db), then run the same command again; everything synced so far is kept:`,
      commands: [`df -h ${shellQuote(dir)}`],
    },
  );
}

function io(file: string, code: string, err: unknown, platform: NodeJS.Platform): DatabaseIoError {
  if (code === 'SQLITE_READONLY_DBMOVED') {
    return new DatabaseIoError(file, `database ${file} was moved or deleted while fathom-sync had it open`, 'put it back, or run the same command again to use the file now at that path');
  }
  const fix: Fix =
    platform === 'darwin'
      ? { text: 'Look for disk errors in the system log (Console.app), run First Aid in Disk Utility, then run again:', commands: ['log show --last 1h --predicate \'eventMessage CONTAINS[c] "I/O error"\''] }
      : { text: 'Look for disk errors in the system log, check the disk, then run again:', commands: ['journalctl -k -n 50 --no-pager', 'sudo dmesg | tail -n 50'] };
  return new DatabaseIoError(file, `the disk or file system failed while fathom-sync used database ${file} (${code}: ${errorMessage(err)})`, fix);
}

/** The files SQLite uses for one database: the file, its WAL and shared-memory index, and the folder they are created in. */
function companions(file: string): { files: string[]; dir: string } {
  return { files: [file, `${file}-wal`, `${file}-shm`], dir: existingDir(file) };
}

function permission(file: string, code: string, err: unknown, call: StorageCall, user: UserFacts): DatabasePermissionError {
  const { files, dir } = companions(file);
  const verb = call.opening ? `open database ${file} for ${call.action === 'read' ? 'reading' : 'reading and writing'}` : `${call.action} database ${file}`;
  // Reading needs the file readable, and (in WAL mode) a folder SQLite can create the -shm file in.
  const blocker = call.action === 'read' ? (accessBlocker(files, 'read', user) ?? accessBlocker([dir], 'write', user)) : accessBlocker([...files, dir], 'write', user);
  if (!blocker) {
    return new DatabasePermissionError(file, `cannot ${verb} (${code}): ${errorMessage(err)}`, {
      text: 'Check that the file and its folder exist and are yours to write:',
      commands: [`ls -ld ${shellQuote(dir)} && ls -l ${files.map(shellQuote).join(' ')}`],
    });
  }
  return new DatabasePermissionError(file, `cannot ${verb} (${code}): ${blockerReason(blocker, file, user)}`, permissionFix(blocker, [...files, dir], call.action, user));
}

function blockerReason(blocker: AccessBlocker, file: string, user: UserFacts): string {
  const { facts } = blocker;
  const which = facts.path === file ? 'it' : facts.isDirectory ? `its folder ${facts.path}` : facts.path;
  const beside = facts.isDirectory ? `; SQLite creates ${path.basename(file)}-wal and -shm there` : '';
  if (blocker.reason === 'read-only-fs') return `the file system holding ${facts.path} is mounted read-only`;
  if (blocker.reason === 'owner') return `${which} belongs to ${facts.owner} (${lsFacts(facts)}), and you are ${user.name}${beside}`;
  return `${which} is ${facts.isDirectory ? 'a read-only folder' : 'read-only'} (${lsFacts(facts)})${beside}`;
}

/**
 * The commands that make every one of `paths` that blocks this user usable: chown what belongs to
 * someone else, chmod what lacks the owner's bits. Paths that do not block (a shared /tmp) are
 * left alone.
 */
function permissionFix(blocker: AccessBlocker, paths: string[], action: StorageCall['action'], user: UserFacts): Fix {
  if (blocker.reason === 'read-only-fs') {
    return { text: 'Remount that file system read-write, or move the database to a writable disk and pass --db.', commands: [] };
  }
  const blocking = paths.map((p) => accessBlocker([p], action === 'read' && p !== paths.at(-1) ? 'read' : 'write', user)?.facts).filter((f) => f !== undefined);
  if (!blocking.some((f) => f.path === blocker.facts.path)) blocking.unshift(blocker.facts);
  const foreign = blocking.filter((f) => user.uid !== null && f.uid !== user.uid);
  const bits = (f: FileFacts) => (f.isDirectory ? 'rwx' : action === 'read' ? 'r' : 'rw');
  const lacking = blocking.filter((f) => [...bits(f)].some((bit) => !f.mode.slice(1, 4).includes(bit)));
  const quoted = (list: FileFacts[]) => list.map((f) => shellQuote(f.path)).join(' ');
  const commands: string[] = [];
  if (foreign.length > 0) commands.push(`sudo chown ${shellQuote(user.name)} ${quoted(foreign)}`);
  const files = lacking.filter((f) => !f.isDirectory);
  const dirs = lacking.filter((f) => f.isDirectory);
  if (files.length > 0) commands.push(`chmod u+${bits(files[0]!)} ${quoted(files)}`);
  if (dirs.length > 0) commands.push(`chmod u+rwx ${quoted(dirs)}`);
  const them = blocking.length === 1 ? 'it' : 'them';
  const text = foreign.length > 0 ? `Make ${them} yours again${lacking.length > 0 ? ', with the owner\'s permissions' : ''}:` : `Give yourself ${action === 'read' ? 'access' : 'write permission'}:`;
  return { text, commands };
}
