import crypto from 'node:crypto';

/**
 * PKCE (RFC 7636) with S256. Fathom ignores it today (it requires the client secret instead),
 * but sending it costs nothing and protects the code if Fathom ever enforces it.
 */
export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

export function createPkce(): Pkce {
  // 32 random bytes -> 43 base64url characters, the minimum length RFC 7636 allows.
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

export function pkceChallenge(verifier: string): string {
  return crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
