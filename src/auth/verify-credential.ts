import type { ApiAuth } from './credentials.js';
import { createApiClient } from '../api/factory.js';
import { systemClock } from '../core/clock.js';

/** What one cheap call tells about a credential (Fathom has no "who am I"). */
export interface CredentialCheck {
  /** Meetings on the first page of GET /meetings (the server picks the page size). */
  meetingsOnFirstPage: number;
  /** The person who recorded most of those meetings: very likely the account's owner. */
  likelyOwner: { name: string | null; email: string } | null;
}

/** One GET /meetings with no include flags: proves the credential before anything is saved. */
export async function checkCredential(env: NodeJS.ProcessEnv, auth: ApiAuth): Promise<CredentialCheck> {
  const client = await createApiClient({ env, auth, clock: systemClock });
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

/** A fixed token for the check right after the code exchange, before anything is saved. */
export function bearerForCheck(accessToken: string): ApiAuth {
  return {
    kind: 'oauth',
    source: 'the token just issued',
    headers: async () => ({ Authorization: `Bearer ${accessToken}` }),
    onUnauthorized: async () => false,
  };
}
