import fs from 'node:fs';
import { openReader } from '../db/read/open.js';
import { readSchemaVersion } from '../db/migrate.js';
import type { Reader } from './tool-kit.js';

/**
 * The server's read-only connection, opened when a call first needs it and kept between calls
 * (SQLite's page cache belongs to a connection: a fresh one per call would read the indexes from
 * disk again each time). Before each call it checks, cheaply, that it still reads the database
 * that is there: a file deleted or replaced (disconnect --purge, a restored backup) or a schema
 * a sync has migrated meanwhile is opened again. No database yet: the "run a sync first" error,
 * every call, until a sync has made one.
 */
/** The connection's page cache, KiB. */
const CACHE_KIB = 64 * 1024;

export class ReaderSource {
  readonly #file: string;
  #open: { reader: Reader & { close(): void }; identity: string; version: number } | null = null;

  constructor(file: string) {
    this.#file = file;
  }

  async reader(): Promise<Reader> {
    const identity = fileIdentity(this.#file);
    const current = this.#open;
    if (current && identity === current.identity && readSchemaVersion(current.reader.db) === current.version) return current.reader;
    this.close();
    const reader = await openReader(this.#file);
    // A long-lived connection: room for the search indexes' hot pages (SQLite's default is 2 MiB).
    reader.db.pragma(`cache_size = -${CACHE_KIB}`);
    this.#open = { reader, identity: fileIdentity(this.#file) ?? '', version: readSchemaVersion(reader.db) };
    return reader;
  }

  close(): void {
    this.#open?.reader.close();
    this.#open = null;
  }
}

/** Which file is at the path (device and inode), or null when none is. */
function fileIdentity(file: string): string | null {
  try {
    const stat = fs.statSync(file);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return null;
  }
}
