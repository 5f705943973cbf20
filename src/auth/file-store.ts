import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../core/fs-safe.js';
import { StoreUnavailableError, type SecretStore } from './secret-store.js';

/**
 * Secrets in a plain JSON file, mode 0600 in a 0700 directory, written atomically. Only used
 * with the user's consent when the keychain cannot be reached: anyone who can read the file (a
 * backup, root, malware running as the user) can read the tokens.
 */
export class FileStore implements SecretStore {
  readonly backend = 'file' as const;

  constructor(readonly file: string) {}

  static inConfigDir(configDir: string): FileStore {
    return new FileStore(path.join(configDir, 'credentials.json'));
  }

  describe(): string {
    return `the file ${this.file} (plain text, mode 0600)`;
  }

  async probe(): Promise<void> {
    try {
      ensurePrivateDir(path.dirname(this.file));
      fs.accessSync(path.dirname(this.file), fs.constants.W_OK);
    } catch (err) {
      throw new StoreUnavailableError('file', `cannot write to ${path.dirname(this.file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  async get(account: string): Promise<string | null> {
    return this.#read()[account] ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    const all = this.#read();
    all[account] = secret;
    this.#write(all);
  }

  async delete(account: string): Promise<boolean> {
    const all = this.#read();
    if (!(account in all)) return false;
    delete all[account];
    if (Object.keys(all).length === 0) fs.rmSync(this.file, { force: true });
    else this.#write(all);
    return true;
  }

  #read(): Record<string, string> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new StoreUnavailableError('file', `cannot read ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
      }
    } catch {
      // fall through: never echo the content, it holds secrets
    }
    throw new StoreUnavailableError('file', `${this.file} is not a valid credential file (delete it and run fathom-sync connect)`);
  }

  #write(all: Record<string, string>): void {
    // writeFileAtomic re-applies 0600 on every write, whatever the umask or an earlier chmod did.
    writeFileAtomic(this.file, `${JSON.stringify(all, null, 2)}\n`, 0o600);
  }
}
