/**
 * Typed errors. Every failure the user can act on is a FathomSyncError of a class that says what
 * kind of failure it is; the class fixes the exit code, so no call site chooses one. Each carries,
 * where there is one, the fix: one sentence and the commands to paste. One handler (the output
 * host's printError, called from cli.ts) turns them into one stderr line, the fix under it, and an
 * exit code; nothing else calls process.exit.
 */

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  authRequired: 4,
  temporary: 5,
  alreadyRunning: 6,
  /** 128 + the signal number, as shells report a process that a signal stopped. */
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What fixes a problem: a sentence, and commands to paste in order. The same shape for errors,
 * doctor's checks and every --json failure object.
 */
export interface Fix {
  text: string;
  commands: string[];
}

/** A fix given as words ("wait for it to finish, or pass --wait") or as the full shape. */
export type FixInput = string | Fix;

export function toFix(fix: FixInput | undefined): Fix | undefined {
  if (fix === undefined) return undefined;
  return typeof fix === 'string' ? { text: fix, commands: [] } : fix;
}

/** A fix that is just a command to run. */
export function runCommandFix(command: string, text = ''): Fix {
  return { text, commands: [command] };
}

export abstract class FathomSyncError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  /** What fixes the problem, shown under the error (and in --json failures). */
  readonly fix: Fix | undefined;

  constructor(message: string, fix?: FixInput) {
    super(message);
    this.name = new.target.name;
    this.fix = toFix(fix);
  }
}

/** Bad flags, arguments or input: nothing was done. Exit 2. */
export class UsageError extends FathomSyncError {
  readonly exitCode = ExitCode.usage;
}

/** No credential, or Fathom rejected it. Exit 4. */
export class AuthRequiredError extends FathomSyncError {
  readonly exitCode = ExitCode.authRequired;
  constructor(message: string, fix: FixInput = 'fathom-sync connect (or set FATHOM_API_KEY)') {
    super(message, fix);
  }
}

/** A login (connect) did not complete: no code came back, the user gave up, stdin ended. Exit 4. */
export class LoginFailedError extends AuthRequiredError {}

/** Network trouble, rate limits, a busy resource: trying again later may work. Exit 5. */
export class TemporaryError extends FathomSyncError {
  readonly exitCode = ExitCode.temporary;
  constructor(message: string, fix: FixInput = 'try again later; fathom-sync doctor checks the connection') {
    super(message, fix);
  }
}

/** Another sync holds the run lock. Exit 6. */
export class AlreadyRunningError extends FathomSyncError {
  readonly exitCode = ExitCode.alreadyRunning;
  constructor(message: string, fix: FixInput = 'wait for it to finish, or pass --wait') {
    super(message, fix);
  }
}

/** Ctrl-C or a SIGTERM stopped a sync (or another command that says so); what it committed is kept. Exit 130 / 143. */
export class InterruptedError extends FathomSyncError {
  readonly exitCode: ExitCodeValue;
  constructor(
    readonly signal: 'SIGINT' | 'SIGTERM',
    message = `interrupted (${signal}): the meetings written so far are kept`,
    fix: FixInput = 'run the same command again; for --all or --since, the hourly --incremental run also continues where this one stopped',
  ) {
    super(message, fix);
    this.exitCode = signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
  }
}

/** A failure that trying again will not mend by itself. Exit 1. The classes below say what failed. */
export abstract class FailureError extends FathomSyncError {
  readonly exitCode = ExitCode.failure;
}

/** config.json cannot be read or is not JSON. */
export class ConfigError extends FailureError {}

/** The local database cannot be used (not SQLite, another program's, newer schema); the storage failures below say more. */
export class DatabaseError extends FailureError {}

/**
 * What went wrong with the storage the meetings are kept in. The same kinds for every backend
 * (SQLite now; PostgreSQL later maps its own errors to them), so the sync job and doctor decide
 * on the kind, never on a driver's error code.
 * - busy: another program holds the database for writing (exit 5: try again once it lets go);
 * - full: no space left for what the sync writes;
 * - permission: the file, its folder or the file system cannot be written (or read) by this user;
 * - corrupt: the database is damaged; nothing more may be written to it;
 * - io: the disk or file system failed;
 * - unreachable: a database server (PostgreSQL) cannot be reached now (exit 5).
 */
export type DatabaseFailureKind = 'busy' | 'full' | 'permission' | 'corrupt' | 'io' | 'unreachable';

/** A storage failure: its kind and where (the database file; a server for PostgreSQL). */
export interface DatabaseFailure extends FathomSyncError {
  readonly kind: DatabaseFailureKind;
  readonly location: string;
}

/** Another program holds the database open for writing. Exit 5. */
export class DatabaseBusyError extends TemporaryError implements DatabaseFailure {
  readonly kind = 'busy';
  constructor(
    readonly location: string,
    message: string,
    fix: FixInput,
  ) {
    super(message, fix);
  }
}

/** The database server cannot be reached now (down, restarting, the network, a dropped connection). Exit 5: the next run tries again. */
export class DatabaseUnreachableError extends TemporaryError implements DatabaseFailure {
  readonly kind = 'unreachable';
  constructor(
    readonly location: string,
    message: string,
    fix: FixInput,
  ) {
    super(message, fix);
  }
}

/** Another storage failure the user must act on. Exit 1. */
abstract class DatabaseFailureError extends FailureError implements DatabaseFailure {
  abstract readonly kind: DatabaseFailureKind;
  constructor(
    readonly location: string,
    message: string,
    fix: FixInput,
  ) {
    super(message, fix);
  }
}

/** The disk (or quota) holding the database is full. Exit 1. */
export class DatabaseFullError extends DatabaseFailureError {
  readonly kind = 'full';
}

/** The database, its folder or its file system cannot be written or read by this user. Exit 1. */
export class DatabasePermissionError extends DatabaseFailureError {
  readonly kind = 'permission';
}

/** The database is damaged. Exit 1. */
export class DatabaseCorruptError extends DatabaseFailureError {
  readonly kind = 'corrupt';
}

/** The disk or file system reported an I/O error. Exit 1. */
export class DatabaseIoError extends DatabaseFailureError {
  readonly kind = 'io';
}

export function isDatabaseFailure(err: unknown): err is DatabaseFailure {
  return err instanceof DatabaseBusyError || err instanceof DatabaseUnreachableError || err instanceof DatabaseFailureError;
}

/** The keychain or the credential file cannot be used as asked. */
export class CredentialStoreError extends FailureError {}

/** crontab or launchctl failed, or the installed schedule cannot be understood. */
export class ScheduleError extends FailureError {}

/** A local resource fathom-sync needs cannot be had (a port, a directory). */
export class LocalResourceError extends FailureError {}

/** The person at the terminal cancelled a prompt or a login. */
export class CancelledError extends FailureError {}

/** An answer from Fathom (API or OAuth endpoint) that cannot be used and is not transient. */
export class ApiError extends FailureError {
  constructor(
    message: string,
    readonly status: number,
    fix?: FixInput,
  ) {
    super(message, fix);
  }
}

/**
 * One recording's summary or transcript could not be used: Fathom refused it with a 4xx other
 * than 401 (403, 404, ...) or answered with a body that does not fit the schema. It is about that
 * recording alone, so a sync stores the meeting without the content and carries on instead of
 * failing this run and every later one.
 */
export class RecordingContentError extends ApiError {
  constructor(
    readonly recordingId: number,
    message: string,
    status: number,
  ) {
    super(message, status);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The exit code an error maps to: its own for ours, 1 for anything else (a bug). */
export function exitCodeOf(err: unknown): ExitCodeValue {
  return err instanceof FathomSyncError ? err.exitCode : ExitCode.failure;
}
