import type { Db } from './db.js';
import type { DatabaseFailure } from '../core/errors.js';

/**
 * Storage failures a user can act on (a busy, full, read-only, damaged or failing database), as
 * typed errors, whatever the backend. Each backend has a classifier that maps its driver's
 * errors to them (SQLite: sqlite-failures.ts; PostgreSQL, once it exists, beside it: SQLSTATE
 * 40001/40P01 busy, 53100 full, 42501 permission, XX001 corrupt, 58030 io). The sync job and the
 * read side only ever see the classifier and the guard below.
 */

/** What was being done when the storage failed. */
export interface StorageCall {
  /** Reading, or writing (a read-write open counts as writing). */
  action: 'read' | 'write';
  /** The database was being opened. */
  opening?: boolean;
  /** Bytes the failed call was about to write, when known: what a full disk must make room for. */
  bytes?: number;
}

export interface StorageFailureClassifier {
  /** Where the data lives, as messages name it (a file; a server and database for PostgreSQL). */
  readonly location: string;
  /** The typed error for `err`, or null when `err` is not a storage failure: a bug stays a bug. */
  classify(err: unknown, call: StorageCall): DatabaseFailure | null;
}

/**
 * Storage calls run through a classifier: a storage failure becomes its typed error and is
 * remembered. After a failure other than a full disk, every later call throws the same error
 * without touching the database again: nothing more is written to a damaged file, and nobody
 * waits twice for a database another program holds. (After a full disk the small writes that
 * record the failed run may still fit, and are tried.)
 */
export class StorageGuard {
  #failure: DatabaseFailure | null = null;

  constructor(
    readonly classifier: StorageFailureClassifier,
    private readonly action: 'read' | 'write',
  ) {}

  /** The first storage failure seen, or null. */
  get failure(): DatabaseFailure | null {
    return this.#failure;
  }

  /** Throws the storage failure seen earlier, if any (one that a caller may have swallowed). */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Runs `fn` under the guard; `args` are what it writes, measured only when it fails. */
  run<T>(fn: () => T, args?: readonly unknown[]): T {
    if (this.#failure && this.#failure.kind !== 'full') throw this.#failure;
    try {
      return fn();
    } catch (err) {
      throw this.#classified(err, args);
    }
  }

  /**
   * `target` with each of its methods run under the guard (a promise's rejection too). Methods
   * run on the target itself, so private fields keep working.
   */
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop) => {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = this.run(() => (value as (...a: unknown[]) => unknown).apply(obj, args), args);
          if (result instanceof Promise) return result.catch((err: unknown) => Promise.reject(this.#classified(err, args)));
          return result;
        };
      },
    });
  }

  #classified(err: unknown, args?: readonly unknown[]): unknown {
    if (err === this.#failure) return err;
    const bytes = this.action === 'write' ? jsonSize(args) : undefined;
    const typed = this.classifier.classify(err, { action: this.action, ...(bytes === undefined ? {} : { bytes }) });
    if (!typed) return err;
    this.#failure ??= typed;
    return typed;
  }
}

/** Roughly what a call writes: the size of its arguments as JSON (a page of meetings, mostly). */
function jsonSize(args: readonly unknown[] | undefined): number | undefined {
  if (!args || args.length === 0) return undefined;
  try {
    return Buffer.byteLength(JSON.stringify(args));
  } catch {
    return undefined;
  }
}

const STATEMENT_CALLS = new Set(['run', 'get', 'all']);
/** Statement methods that return the statement itself, for chaining. */
const STATEMENT_CHAIN = new Set(['pluck', 'expand', 'raw', 'bind', 'safeIntegers', 'columns']);

/**
 * A database connection whose every query runs under the guard: prepare, exec, pragma, the
 * prepared statements' run/get/all and iterate's rows. For read-only connections (every read
 * command, status, log, doctor's reads), so whatever a reader asks, a storage failure arrives
 * typed. The sync's writes are guarded a level up, on the store, where the page being written is
 * known.
 */
export function guardDatabase(db: Db, guard: StorageGuard): Db {
  const statement = <S extends object>(stmt: S): S => {
    const proxy: S = new Proxy(stmt, {
      get: (obj, prop) => {
        const value: unknown = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (STATEMENT_CALLS.has(prop)) return (...args: unknown[]) => guard.run(() => call(...args));
        if (prop === 'iterate') return (...args: unknown[]) => guardedIterator(guard.run(() => call(...args) as Iterator<unknown>), guard);
        if (STATEMENT_CHAIN.has(prop)) {
          return (...args: unknown[]) => {
            const result = call(...args);
            return result === obj ? proxy : result;
          };
        }
        return call;
      },
    });
    return proxy;
  };
  return new Proxy(db, {
    get: (obj, prop) => {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
      if (prop === 'prepare') return (...args: unknown[]) => statement(guard.run(() => call(...args) as object));
      if (prop === 'exec' || prop === 'pragma') return (...args: unknown[]) => guard.run(() => call(...args));
      return call;
    },
  });
}

function guardedIterator(iterator: Iterator<unknown>, guard: StorageGuard): IterableIterator<unknown> {
  return {
    next: () => guard.run(() => iterator.next()),
    return: (value?: unknown) => iterator.return?.(value) ?? { done: true, value },
    [Symbol.iterator]() {
      return this;
    },
  };
}
