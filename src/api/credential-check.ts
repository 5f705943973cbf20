import { ApiError, AuthRequiredError, TemporaryError, errorMessage } from '../core/errors.js';
import type { FathomClient } from './client.js';

/**
 * The one way fathom-sync proves a credential: a single GET /meetings with no include flags
 * (Fathom has no "who am I"). connect runs it before saving, `status --check` and doctor after.
 */

/** What one cheap call tells about a credential. */
export interface CredentialCheck {
  /** Meetings on the first page of GET /meetings (the server picks the page size). */
  meetingsOnFirstPage: number;
  /** The person who recorded most of those meetings: very likely the account's owner. */
  likelyOwner: { name: string | null; email: string } | null;
}

/** Throws what the client throws: AuthRequiredError for a 401, TemporaryError when Fathom cannot be reached, ... */
export async function checkCredential(client: FathomClient): Promise<CredentialCheck> {
  const first = await client.meetingPager({}).fetch(null);
  const meetings = first.meetings.map((m) => m.meeting);
  const counts = new Map<string, { name: string | null; email: string; n: number }>();
  for (const m of meetings) {
    const email = m.recorded_by?.email;
    if (!email) continue;
    const entry = counts.get(email) ?? { name: m.recorded_by?.name ?? null, email, n: 0 };
    entry.n += 1;
    counts.set(email, entry);
  }
  const top = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return { meetingsOnFirstPage: meetings.length, likelyOwner: top ? { name: top.name, email: top.email } : null };
}

export function describeCheck(check: CredentialCheck): string {
  if (check.meetingsOnFirstPage === 0) return 'Fathom shows this credential no meetings yet';
  const who = check.likelyOwner ? `, most recorded by ${check.likelyOwner.name ? `${check.likelyOwner.name} <${check.likelyOwner.email}>` : check.likelyOwner.email}` : '';
  return `Fathom shows this credential ${check.meetingsOnFirstPage} recent meeting${check.meetingsOnFirstPage === 1 ? '' : 's'}${who}`;
}

/** A check's failure, sorted the way doctor reports it: the credential, the network, or Fathom. */
export type CheckFailure = { outcome: 'rejected' | 'unreachable' | 'error'; message: string };

export function classifyCheckFailure(err: unknown): CheckFailure {
  if (err instanceof AuthRequiredError) return { outcome: 'rejected', message: err.message };
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return { outcome: 'rejected', message: err.message };
  if (err instanceof TemporaryError) return { outcome: 'unreachable', message: err.message.replace(/^giving up after \d+ retries: /, '') };
  return { outcome: 'error', message: errorMessage(err) };
}
