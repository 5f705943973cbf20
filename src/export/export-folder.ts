import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LocalResourceError, UsageError, errorMessage } from '../core/errors.js';
import { replaceFileAtomic } from '../core/fs-safe.js';

/**
 * A folder of exported meetings that fathom-sync keeps in step: one file per meeting, and a
 * manifest (.fathom-sync-export.json) that records, for each meeting, the file written, the hash
 * of what was written, and the source it came from. With it, a re-run
 * - writes nothing for a meeting whose source has not changed (without even rendering it);
 * - moves the file of a renamed meeting;
 * - never overwrites a file the user edited by hand (its bytes no longer match what was written),
 *   nor a file of theirs that happens to have the same name: those are skipped with a warning,
 *   unless `force`.
 */

export const MANIFEST_NAME = '.fathom-sync-export.json';
const MANIFEST_VERSION = 1;

interface ManifestEntry {
  file: string;
  /** sha256 of the bytes written. */
  sha256: string;
  /** What the content was made from (payload hash + format version); equal means "render again gives the same". */
  source: string;
  size: number;
  mtimeMs: number;
}

interface Manifest {
  version: number;
  format: string;
  meetings: Record<string, ManifestEntry>;
}

export interface FolderItem {
  /** What the file is of: a recording id, or a name for a whole-export file. */
  key: string;
  fileName: string;
  source: string;
  /** Called only when the file has to be (re)written. */
  render(): string;
}

export type FolderOutcome = 'written' | 'unchanged' | 'skipped';

export interface ExportCounts {
  written: number;
  unchanged: number;
  skipped: number;
  moved: number;
}

const sha256 = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');

/** A name the manifest or a title gave must be one plain file inside the folder. */
function insideFolder(dir: string, file: string): string {
  const target = path.resolve(dir, file);
  if (path.dirname(target) !== path.resolve(dir) || file.includes('/') || file.includes('\\') || file === '.' || file === '..') {
    throw new UsageError(`refusing to write ${JSON.stringify(file)} outside ${dir}`);
  }
  return target;
}

export class ExportFolder {
  readonly #manifestFile: string;
  #manifest: Manifest;
  /** The folder's file names, read once: thousands of existence checks would each be a system call. */
  #names = new Set<string>();
  readonly counts: ExportCounts = { written: 0, unchanged: 0, skipped: 0, moved: 0 };

  private constructor(
    readonly dir: string,
    readonly format: string,
    private readonly options: { force: boolean; warn: (message: string) => void },
  ) {
    this.#manifestFile = path.join(dir, MANIFEST_NAME);
    this.#manifest = { version: MANIFEST_VERSION, format, meetings: {} };
  }

  static open(dir: string, format: string, options: { force: boolean; warn: (message: string) => void }): ExportFolder {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (err) {
      throw new UsageError(`cannot write to --out ${dir}: ${errorMessage(err)}`);
    }
    if (!fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a folder`);
    const folder = new ExportFolder(dir, format, options);
    folder.#manifest = folder.#readManifest();
    folder.#names = new Set(fs.readdirSync(dir));
    return folder;
  }

  #readManifest(): Manifest {
    let text: string;
    try {
      text = fs.readFileSync(this.#manifestFile, 'utf8');
    } catch {
      return { version: MANIFEST_VERSION, format: this.format, meetings: {} };
    }
    try {
      const parsed = JSON.parse(text) as Manifest;
      if (parsed.version === MANIFEST_VERSION && parsed.format === this.format && parsed.meetings && typeof parsed.meetings === 'object') return parsed;
    } catch {
      // A damaged manifest: start afresh; files that exist are then treated as the user's.
    }
    this.options.warn(`${this.#manifestFile} is not a manifest of this format (${this.format}); files already there are left alone unless --force`);
    return { version: MANIFEST_VERSION, format: this.format, meetings: {} };
  }

  /** The file of one meeting: written, left as it is, or skipped to protect the user's edits. */
  put(item: FolderItem): FolderOutcome {
    const { key } = item;
    const entry = this.#manifest.meetings[key];
    const target = insideFolder(this.dir, item.fileName);
    const previous = entry ? insideFolder(this.dir, entry.file) : null;
    const previousState = previous ? this.#state(previous, entry!) : 'absent';

    if (entry && entry.file === item.fileName && entry.source === item.source && previousState === 'ours-unchanged-stat') {
      this.counts.unchanged += 1;
      return 'unchanged';
    }
    if (previousState === 'edited' && !this.options.force) {
      this.options.warn(`skipped ${entry!.file}: it was edited since fathom-sync wrote it (--force overwrites it)`);
      this.counts.skipped += 1;
      return 'skipped';
    }
    // A new name for this meeting: any other file already there is not ours to replace.
    if (target !== previous && this.#names.has(item.fileName) && !this.options.force && !this.#ownedByOther(item.fileName)) {
      this.options.warn(`skipped ${item.fileName}: a file of that name is already there and fathom-sync did not write it (--force overwrites it)`);
      this.counts.skipped += 1;
      return 'skipped';
    }
    const content = item.render();
    const digest = sha256(content);
    if (target === previous && previousState !== 'absent' && previousState !== 'edited' && entry!.sha256 === digest) {
      this.#record(key, item, target, digest);
      this.counts.unchanged += 1;
      return 'unchanged';
    }
    replaceFileAtomic(target, content, 0o644, { durable: false });
    this.#names.add(item.fileName);
    if (previous && previous !== target && previousState !== 'absent') {
      fs.rmSync(previous, { force: true });
      this.#names.delete(entry!.file);
      this.counts.moved += 1;
    }
    this.#record(key, item, target, digest);
    this.counts.written += 1;
    return 'written';
  }

  /** Whether another meeting of the manifest owns this name (two titles that clash after cleaning). */
  #ownedByOther(fileName: string): boolean {
    return Object.values(this.#manifest.meetings).some((e) => e.file === fileName);
  }

  #record(key: string, item: FolderItem, target: string, digest: string): void {
    const stat = fs.statSync(target);
    this.#manifest.meetings[key] = { file: item.fileName, sha256: digest, source: item.source, size: stat.size, mtimeMs: stat.mtimeMs };
  }

  /** Is the file still what fathom-sync wrote? Size and mtime first; the bytes only when those moved. */
  #state(file: string, entry: ManifestEntry): 'absent' | 'ours-unchanged-stat' | 'ours' | 'edited' {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return 'absent';
    }
    if (stat.size === entry.size && stat.mtimeMs === entry.mtimeMs) return 'ours-unchanged-stat';
    return sha256(fs.readFileSync(file)) === entry.sha256 ? 'ours' : 'edited';
  }

  /** Saves the manifest (atomically); call once at the end, and after a failure too. */
  save(): void {
    try {
      replaceFileAtomic(this.#manifestFile, `${JSON.stringify(this.#manifest)}\n`, 0o644);
    } catch (err) {
      throw new LocalResourceError(`cannot write the export manifest ${this.#manifestFile}: ${errorMessage(err)}`);
    }
  }
}
