import { AuthRequiredError } from '../core/errors.js';
import type { ApiAuth } from '../api/auth.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { CredentialVault, StoredOAuthToken } from './stored-credential.js';
import { withRefreshLock } from './refresh-lock.js';
import { requestToken } from './token-client.js';
import { StoreUnavailableError } from './secret-store.js';

/** Renew this long before the access token runs out (the official SDK uses 300 s too). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface OAuthAuthOptions {
  vault: CredentialVault;
  credential: StoredOAuthToken;
  /** Where the token lives, for messages ("the OS keychain (...)"). */
  source: string;
  /** <stateDir>/token-refresh.lock */
  lockFile: string;
  tokenUrls: string[];
  /** FATHOM_CLIENT_SECRET; otherwise the stored client secret is used. */
  envClientSecret?: string;
  /** Told when another process is renewing the token and this one waits for it (debug output). */
  onRefreshWait?: () => void;
  /** Told which token URL answered, so the next run tries it first. */
  onTokenUrl?: (url: string) => void;
  clock?: Clock;
}

/**
 * An OAuth access token that renews itself: 5 minutes before it expires, and once after a 401.
 * Refresh tokens are single-use, so every refresh happens under a cross-process lock, re-reads
 * the stored token inside it (a sibling process may have renewed it already) and saves the new
 * pair before using it.
 */
export class OAuthAuth implements ApiAuth {
  readonly kind = 'oauth' as const;
  readonly source: string;
  #current: StoredOAuthToken;
  #inflight: Promise<void> | null = null;
  readonly #o: OAuthAuthOptions;
  readonly #clock: Clock;

  constructor(options: OAuthAuthOptions) {
    this.#o = options;
    this.source = options.source;
    this.#current = options.credential;
    this.#clock = options.clock ?? systemClock;
  }

  /** Epoch ms the current access token expires at (null: unknown). */
  get expiresAt(): number | null {
    return this.#current.expiresAt;
  }

  /** Whether Fathom gave a refresh token to renew this one with. */
  get renewable(): boolean {
    return Boolean(this.#current.refreshToken);
  }

  async headers(): Promise<Record<string, string>> {
    if (this.#expiringSoon(this.#current)) await this.#refresh(this.#current.accessToken);
    return { Authorization: `Bearer ${this.#current.accessToken}` };
  }

  async onUnauthorized(): Promise<boolean> {
    await this.#refresh(this.#current.accessToken);
    return true;
  }

  /** Keeps tokens out of accidental JSON dumps and console.log of the object. */
  toJSON(): object {
    return { kind: this.kind, source: this.source, expiresAt: this.#current.expiresAt };
  }

  #expiringSoon(token: StoredOAuthToken): boolean {
    return isExpiringSoon(token, this.#clock.now());
  }

  /** Single-flight inside this process; the lock file makes it single-flight across processes. */
  async #refresh(staleAccessToken: string): Promise<void> {
    while (this.#inflight) await this.#inflight;
    if (this.#current.accessToken !== staleAccessToken && !this.#expiringSoon(this.#current)) return;
    const lockOptions = { clock: this.#clock, ...(this.#o.onRefreshWait ? { onWait: this.#o.onRefreshWait } : {}) };
    this.#inflight = withRefreshLock(this.#o.lockFile, () => this.#refreshLocked(staleAccessToken), lockOptions).finally(() => {
      this.#inflight = null;
    });
    await this.#inflight;
  }

  async #refreshLocked(staleAccessToken: string): Promise<void> {
    const { vault } = this.#o;
    let latest;
    try {
      latest = await vault.readCredential();
    } catch (err) {
      throw storeError(err, this.source);
    }
    if (!latest || latest.kind !== 'oauth') {
      throw new AuthRequiredError(`the OAuth token is no longer in ${this.source} (disconnected meanwhile?)`, 'run fathom-sync connect');
    }
    // A sibling process renewed it while we waited for the lock: use its token, spend nothing.
    if (latest.accessToken !== staleAccessToken && !this.#expiringSoon(latest)) {
      this.#current = latest;
      return;
    }
    if (!latest.refreshToken) {
      throw new AuthRequiredError('the OAuth access token expired and Fathom gave no refresh token to renew it', 'run fathom-sync connect');
    }
    let clientSecret = this.#o.envClientSecret?.trim() || null;
    if (!clientSecret) {
      try {
        clientSecret = await vault.readClientSecret();
      } catch (err) {
        throw storeError(err, this.source);
      }
    }
    if (!clientSecret) {
      throw new AuthRequiredError('the OAuth token needs renewing but the app\'s client secret is not stored', 'run fathom-sync connect (or set FATHOM_CLIENT_SECRET)');
    }
    const { token, tokenUrl } = await requestToken(
      { tokenUrls: this.#o.tokenUrls, clientId: latest.clientId, clientSecret },
      { grant_type: 'refresh_token', refresh_token: latest.refreshToken },
    );
    const now = this.#clock.now();
    const next: StoredOAuthToken = {
      ...latest,
      accessToken: token.accessToken,
      refreshToken: token.refreshToken ?? latest.refreshToken,
      expiresAt: token.expiresIn === null ? null : now + token.expiresIn * 1000,
      tokenType: token.tokenType,
      obtainedAt: now,
    };
    // Save before use: the old refresh token is spent, and a crash after this point must not
    // lose the new one.
    try {
      await vault.saveCredential(next);
    } catch (err) {
      throw new AuthRequiredError(
        `the OAuth token was renewed but could not be saved to ${this.source} (${err instanceof StoreUnavailableError ? err.reason : (err as Error).message}); the old one is spent`,
        'make the credential store reachable, then run fathom-sync connect',
      );
    }
    this.#current = next;
    this.#o.onTokenUrl?.(tokenUrl);
  }
}

/**
 * True within 5 minutes of expiry; for tokens that live 10 minutes or less, within the last
 * half of their life instead, so a short-lived token is not renewed on every request.
 */
export function isExpiringSoon(token: Pick<StoredOAuthToken, 'expiresAt' | 'obtainedAt'>, now: number): boolean {
  if (token.expiresAt === null) return false;
  const lifetime = token.expiresAt - token.obtainedAt;
  const margin = token.obtainedAt > 0 && lifetime > 0 ? Math.min(REFRESH_MARGIN_MS, lifetime / 2) : REFRESH_MARGIN_MS;
  return token.expiresAt - now <= margin;
}

function storeError(err: unknown, source: string): Error {
  if (err instanceof StoreUnavailableError) {
    return new AuthRequiredError(`cannot read the OAuth token from ${source}: ${err.reason}`, 'make the keychain reachable, or store the token in a file: FATHOM_SYNC_TOKEN_STORE=file fathom-sync connect');
  }
  return err as Error;
}
