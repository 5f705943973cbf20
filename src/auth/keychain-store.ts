import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KEYCHAIN_SERVICE, StoreUnavailableError, type SecretStore } from './secret-store.js';
import type { KeychainOp, KeychainReply } from './keychain-protocol.js';

/** A locked keyring can block forever; 5 s is what other CLIs settled on (gh 3 s, entire 5 s). */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000;

export interface KeychainStoreOptions {
  env: NodeJS.ProcessEnv;
  service?: string;
  timeoutMs?: number;
  /** The compiled keychain-worker.js; tests of the TypeScript sources point it at dist/. */
  workerScript?: string;
}

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux)
 * through @napi-rs/keyring, one entry per account under the service "fathom-sync". Every call
 * runs in a short-lived child process that is killed when it overruns the timeout.
 */
export class KeychainStore implements SecretStore {
  readonly backend = 'keychain' as const;
  readonly #env: NodeJS.ProcessEnv;
  readonly #service: string;
  readonly #timeoutMs: number;
  readonly #workerScript: string;

  constructor(options: KeychainStoreOptions) {
    this.#env = options.env;
    this.#service = options.service ?? KEYCHAIN_SERVICE;
    this.#timeoutMs = options.timeoutMs ?? keychainTimeoutFromEnv(options.env);
    this.#workerScript = options.workerScript ?? fileURLToPath(new URL('./keychain-worker.js', import.meta.url));
  }

  describe(): string {
    const name = process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service';
    return `the OS keychain (${name}, service "${this.#service}")`;
  }

  /** Writes and deletes a throwaway entry: reading alone succeeds on a locked keyring that has no item yet. */
  async probe(): Promise<void> {
    await this.#run([
      { op: 'set', account: 'probe', secret: 'probe' },
      { op: 'delete', account: 'probe' },
    ]);
  }

  async get(account: string): Promise<string | null> {
    const [value] = await this.#run([{ op: 'get', account }]);
    return typeof value === 'string' ? value : null;
  }

  async set(account: string, secret: string): Promise<void> {
    await this.#run([{ op: 'set', account, secret }]);
  }

  async delete(account: string): Promise<boolean> {
    const [deleted] = await this.#run([{ op: 'delete', account }]);
    return deleted === true;
  }

  #run(ops: KeychainOp[]): Promise<(string | boolean | null)[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.#workerScript], { env: this.#env, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() => reject(new StoreUnavailableError('keychain', `no answer within ${this.#timeoutMs} ms (is the keyring locked or its daemon hung?)`)));
      }, this.#timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      // The worker's stderr is drained and dropped: it never sees a secret it could print, but
      // a library warning has no place in our output either.
      child.stderr.resume();
      child.on('error', (err) => finish(() => reject(new StoreUnavailableError('keychain', `cannot start the keychain helper: ${err.message}`))));
      child.on('close', () => {
        finish(() => {
          let reply: KeychainReply;
          try {
            reply = JSON.parse(Buffer.concat(out).toString('utf8')) as KeychainReply;
          } catch {
            reject(new StoreUnavailableError('keychain', 'the keychain helper stopped without an answer'));
            return;
          }
          if (reply.ok) resolve(reply.results);
          else reject(new StoreUnavailableError('keychain', explainKeyringError(reply.error, this.#env)));
        });
      });
      child.stdin.on('error', () => {
        // The child died before reading: 'close' reports it.
      });
      child.stdin.end(JSON.stringify({ service: this.#service, ops }));
    });
  }
}

export function keychainTimeoutFromEnv(env: NodeJS.ProcessEnv): number {
  const n = Number(env.FATHOM_SYNC_KEYCHAIN_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_KEYCHAIN_TIMEOUT_MS;
}

/** Turns @napi-rs/keyring's platform messages into something a user can act on. */
export function explainKeyringError(message: string, env: NodeJS.ProcessEnv): string {
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch/i.test(message) || (!env.DBUS_SESSION_BUS_ADDRESS && process.platform === 'linux' && /dbus/i.test(message))) {
    return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set: a cron job, SSH or container session?)';
  }
  if (/org\.freedesktop\.secrets|not provided by any \.service/i.test(message)) {
    return 'no Secret Service on the session bus (install and start gnome-keyring or KeePassXC)';
  }
  if (/prompt was dismissed|locked/i.test(message)) return 'the keyring is locked and could not be unlocked';
  return message.split('\n')[0]!.slice(0, 300);
}
