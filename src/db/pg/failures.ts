import { DatabaseCorruptError, DatabaseFullError, DatabaseIoError, DatabasePermissionError, DatabaseUnreachableError, type DatabaseFailure } from '../../core/errors.js';
import type { StorageCall, StorageFailureClassifier } from '../storage-failures.js';
import { CONNECTION_ENDED, UNREACHABLE_CODES, describePgTarget, redactPgSecrets } from './connection.js';

/**
 * PostgreSQL's errors as the storage failures every backend shares (SQLSTATE classes: 53 resources,
 * 42501 privilege, XX001/XX002 data corruption, 58 system I/O, 08/57 connection). Anything else
 * is not a storage failure: a bug stays a bug, and a constraint violation is never dressed as one.
 */
export function pgFailures(url: string): StorageFailureClassifier {
  const location = describePgTarget(url);
  return {
    location,
    classify(err: unknown, call: StorageCall): DatabaseFailure | null {
      if (isDatabaseFailureLike(err)) return err;
      const e = err as { code?: string; message?: string } | null;
      const code = e?.code ?? '';
      const text = redactPgSecrets(e?.message ?? String(err), url);
      if (UNREACHABLE_CODES.has(code) || CONNECTION_ENDED.test(e?.message ?? '')) {
        return new DatabaseUnreachableError(location, `lost the connection to the PostgreSQL database ${location}: ${text}`, 'the pages written so far are kept; run again once the server is back (fathom-sync doctor checks it)');
      }
      if (code === '53100') {
        return new DatabaseFullError(location, `the PostgreSQL server of ${location} is out of disk space${call.bytes ? ` (this page needed about ${Math.ceil(call.bytes / 1024)} KiB)` : ''}: ${text}`, "free space on the database server's disk, then run again");
      }
      if (code === '42501' || code === '25006') {
        return new DatabasePermissionError(location, `PostgreSQL refused to ${call.action} in ${location}: ${text}`, 'grant the connecting user INSERT, UPDATE, DELETE and SELECT on the fathom-sync tables (or connect as their owner)');
      }
      if (code === 'XX001' || code === 'XX002') {
        return new DatabaseCorruptError(location, `PostgreSQL reports damaged data in ${location}: ${text}`, "ask the server's administrator to check and repair it (REINDEX, a restore)");
      }
      if (code.startsWith('58') || code === '53200') {
        return new DatabaseIoError(location, `the PostgreSQL server of ${location} failed: ${text}`, "check the database server's logs");
      }
      return null;
    },
  };
}

function isDatabaseFailureLike(err: unknown): err is DatabaseFailure {
  return err instanceof DatabaseUnreachableError || err instanceof DatabaseFullError || err instanceof DatabasePermissionError || err instanceof DatabaseCorruptError || err instanceof DatabaseIoError;
}
