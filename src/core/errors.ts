/**
 * Typed errors. Every failure the user can act on is a FathomSyncError carrying the
 * exit code it maps to and, where there is one, the command that fixes it. One handler
 * in cli.ts turns them into a single stderr line and an exit code; nothing else calls
 * process.exit.
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

export class FathomSyncError extends Error {
  readonly exitCode: ExitCodeValue;
  /** The command (or short instruction) that fixes the problem, shown under the error. */
  readonly fix: string | undefined;

  constructor(message: string, exitCode: ExitCodeValue, fix?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.fix = fix;
  }
}

/** Bad flags or arguments: nothing was done. */
export class UsageError extends FathomSyncError {
  constructor(message: string, fix?: string) {
    super(message, ExitCode.usage, fix);
  }
}

/** No credential, or the API rejected it. */
export class AuthRequiredError extends FathomSyncError {
  constructor(message: string, fix = 'fathom-sync connect (or set FATHOM_API_KEY)') {
    super(message, ExitCode.authRequired, fix);
  }
}

/** Network trouble or rate-limit retries exhausted: trying again later may work. */
export class TemporaryError extends FathomSyncError {
  constructor(message: string, fix = 'try again later; fathom-sync doctor checks the connection') {
    super(message, ExitCode.temporary, fix);
  }
}

/** The local database cannot be used (not SQLite, unreadable, newer schema, corrupt). */
export class DatabaseError extends FathomSyncError {
  constructor(message: string, fix?: string) {
    super(message, ExitCode.failure, fix);
  }
}

/** Another sync holds the run lock. */
export class AlreadyRunningError extends FathomSyncError {
  constructor(message: string, fix = 'wait for it to finish, or pass --wait') {
    super(message, ExitCode.alreadyRunning, fix);
  }
}

/** Ctrl-C or a SIGTERM stopped a sync; the pages it committed are kept. */
export class InterruptedError extends FathomSyncError {
  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(
      `interrupted (${signal}): the meetings written so far are kept`,
      signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated,
      'run the same command again; for --all or --since, the hourly --incremental run also continues where this one stopped',
    );
  }
}

/** An API answer we could not use (not a transient failure). */
export class ApiError extends FathomSyncError {
  readonly status: number;
  constructor(message: string, status: number, fix?: string) {
    super(message, ExitCode.failure, fix);
    this.status = status;
  }
}

/**
 * One recording's summary or transcript could not be used: Fathom refused it with a 4xx other
 * than 401 (403, 404, ...) or answered with a body that does not fit the schema. It is about that
 * recording alone, so a sync stores the meeting without the content and carries on (see
 * withRecordingContent in sync/engine.ts) instead of failing this run and every later one.
 */
export class RecordingContentError extends ApiError {
  readonly recordingId: number;
  constructor(recordingId: number, message: string, status: number) {
    super(message, status);
    this.recordingId = recordingId;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
