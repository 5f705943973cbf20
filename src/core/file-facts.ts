import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Facts about files as `ls -l` and `df` show them, for messages that say why a file cannot be
 * used and which command fixes it: who owns it, its mode, who we are, what blocks access, how
 * much space is left. Every lookup is best effort: a fact that cannot be had is left out.
 */

export interface FileFacts {
  path: string;
  isDirectory: boolean;
  /** `-rw-r--r--`, as ls -l writes it. */
  mode: string;
  uid: number;
  owner: string;
  group: string;
}

export interface UserFacts {
  uid: number | null;
  name: string;
}

/** uid or gid -> name, from /etc/passwd or /etc/group (macOS keeps most users elsewhere: numbers then). */
function namesFrom(file: string): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined && /^\d+$/.test(id) && !names.has(Number(id))) names.set(Number(id), name);
    }
  } catch {
    // no such file: numbers it is
  }
  return names;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;

function userName(uid: number): string {
  return (users ??= namesFrom('/etc/passwd')).get(uid) ?? String(uid);
}

function groupName(gid: number): string {
  return (groups ??= namesFrom('/etc/group')).get(gid) ?? String(gid);
}

/** The user this process runs as. */
export function currentUser(): UserFacts {
  const uid = process.getuid?.() ?? null;
  try {
    return { uid, name: os.userInfo().username };
  } catch {
    return { uid, name: uid === null ? 'you' : userName(uid) };
  }
}

/** `-rw-r--r--` from a stat mode. */
export function modeString(mode: number, isDirectory: boolean): string {
  const bits = ['r', 'w', 'x'];
  let text = isDirectory ? 'd' : '-';
  for (let shift = 6; shift >= 0; shift -= 3) {
    for (let i = 0; i < 3; i++) text += mode & (1 << (shift + 2 - i)) ? bits[i] : '-';
  }
  return text;
}

/** The ls -l facts of a file or directory; null when it does not exist or cannot be looked at. */
export function fileFacts(file: string): FileFacts | null {
  try {
    const stat = fs.statSync(file);
    return { path: file, isDirectory: stat.isDirectory(), mode: modeString(stat.mode, stat.isDirectory()), uid: stat.uid, owner: userName(stat.uid), group: groupName(stat.gid) };
  } catch {
    return null;
  }
}

/** `-rw-r--r-- alice staff`: the part of an ls -l line a permission message needs. */
export function lsFacts(facts: FileFacts): string {
  return `${facts.mode} ${facts.owner} ${facts.group}`;
}

/** What keeps this user from reading or writing a path: its owner, its mode, or a read-only file system. */
export interface AccessBlocker {
  facts: FileFacts;
  /** owner: it belongs to someone else; mode: it is ours but its mode refuses; read-only-fs: EROFS. */
  reason: 'owner' | 'mode' | 'read-only-fs';
}

/**
 * The first of `paths` (existing ones only) this user cannot use as asked; directories need
 * search permission too. Root passes every mode check, so for root only a read-only file system
 * blocks.
 */
export function accessBlocker(paths: readonly string[], want: 'read' | 'write', user: UserFacts = currentUser()): AccessBlocker | null {
  for (const p of paths) {
    const facts = fileFacts(p);
    if (!facts) continue;
    const mode = (want === 'write' ? fs.constants.W_OK : fs.constants.R_OK) | (facts.isDirectory ? fs.constants.X_OK : 0);
    try {
      fs.accessSync(p, mode);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return { facts, reason: 'read-only-fs' };
      if (code === 'EACCES' || code === 'EPERM') return { facts, reason: user.uid !== null && facts.uid !== user.uid ? 'owner' : 'mode' };
    }
  }
  return null;
}

/** Bytes free for this user on the file system holding `dir` (statfs); null when it cannot be told. */
export function freeBytes(dir: string): number | null {
  try {
    const stat = fs.statfsSync(dir);
    return stat.bavail * stat.bsize;
  } catch {
    return null;
  }
}

/** The nearest existing directory at or above `file`'s folder (for statfs and df). */
export function existingDir(file: string): string {
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** "0 B", "312 KiB", "4.2 MiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
