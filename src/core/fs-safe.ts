import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates a directory (and parents) readable by the owner only. Never changes a directory that
 * already exists: for paths the user chose (`--db ~/calls.db`) that is their home or /tmp.
 */
export function makePrivateDirs(dir: string): void {
  // umask can only take bits away from 0700, so what this creates is private.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Creates one of fathom-sync's own directories and makes it owner-only even if it existed. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdirSync's mode is masked by umask and ignored for existing directories.
  try {
    fs.chmodSync(dir, 0o700);
  } catch {
    // Not ours to change (e.g. a shared parent given by the user): leave it.
  }
}

/**
 * Writes a file atomically with mode 0600 into one of fathom-sync's own (private) directories:
 * a temp file in the same directory, fsync, rename. A crash leaves either the old content or the
 * new, never half of either.
 */
export function writeFileAtomic(file: string, content: string | Buffer, mode = 0o600): void {
  ensurePrivateDir(path.dirname(file));
  replaceFileAtomic(file, content, mode);
}

/** Temp names need only be unique within this process (the pid sets processes apart; 'wx' refuses a clash). */
let tempCounter = 0;

/**
 * The same, in a directory that exists and is not ours to change (an export folder the user
 * chose). `durable: false` skips the fsync: still all-or-nothing, for files that can be written
 * again (an export of thousands would otherwise wait on the disk once per file).
 */
export function replaceFileAtomic(file: string, content: string | Buffer, mode: number, options: { durable?: boolean } = {}): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file).slice(0, 100)}.${process.pid}.${(tempCounter += 1)}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    if (options.durable !== false) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
