import { DatabaseError } from '../../core/errors.js';
import { inspectDatabaseFile, openDatabase, type Db } from '../database.js';
import { SCHEMA_VERSION, readSchemaVersion } from '../migrate.js';
import { MeetingReader } from './reader.js';

/**
 * Opens the database for reading only: no migration, no lock, no write of any kind, so a read
 * command (or the MCP server) can run while a sync writes (WAL). A missing database or one the
 * next sync still has to upgrade is an error that says which command fixes it.
 */
export async function openReader(file: string): Promise<MeetingReader & { close(): void }> {
  const notYet = () => new DatabaseError(`no meetings synced yet: there is no database at ${file}`, { text: 'Sync your meetings first:', commands: ['fathom-sync run --all'] });
  if (inspectDatabaseFile(file) !== 'sqlite') throw notYet();
  const db: Db = await openDatabase(file, { readonly: true });
  const version = readSchemaVersion(db);
  // Version 0: the first sync has created the file and not yet committed its schema.
  if (version === 0) {
    db.close();
    throw notYet();
  }
  if (version < SCHEMA_VERSION) {
    db.close();
    throw new DatabaseError(`the database ${file} was written by an older fathom-sync and is upgraded by the next sync`, { text: 'Upgrade it with a sync:', commands: ['fathom-sync run'] });
  }
  const reader = new MeetingReader(db);
  return Object.assign(reader, { close: () => db.close() });
}
