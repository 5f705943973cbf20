import crypto from 'node:crypto';

/** The OAuth `state`: from a CSPRNG, never Math.random (it binds the answer to this login). */
export function createState(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Constant-time comparison, so the time to reject says nothing about how much matched. */
export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string') return false;
  // Hash both sides first: timingSafeEqual needs equal lengths and must not leak the length.
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(received).digest();
  return crypto.timingSafeEqual(a, b);
}
