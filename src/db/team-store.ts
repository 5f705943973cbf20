import type { Db } from './db.js';
import { recomputeTalkTime } from './talk-time-store.js';
import { ensureSyncState } from './sync-state.js';
import { DEFAULT_PROFILE } from '../core/profile.js';
import type { TeamMemberRecord, TeamTarget } from './sync-target.js';

export type { TeamMemberRecord };

/**
 * Fathom's teams and their members, as /teams and /team_members last said: the people known to
 * be internal, for talk time and `people`. Replaced whole, once a day at most.
 */
export class TeamStore implements TeamTarget {
  constructor(
    private readonly db: Db,
    /** Whose read it is: each account reads the teams once a day. */
    private readonly account: string = DEFAULT_PROFILE,
  ) {}

  /** When the account last read the teams; null when never. */
  syncedAt(): string | null {
    return (this.db.prepare('SELECT teams_synced_at AS at FROM sync_state WHERE account = ?').get(this.account) as { at: string | null } | undefined)?.at ?? null;
  }

  /**
   * Replaces the teams and members in one transaction. When who is on a team changed, every
   * stored meeting's talk time is worked out again (a speaker may have become internal).
   */
  replace(teams: { name: string; created_at: string | null }[], members: TeamMemberRecord[], now: string): { membersChanged: boolean } {
    return this.db.transaction(() => {
      const key = (m: { team: string; email: string }) => `${m.team}\u0000${m.email.toLowerCase()}`;
      const before = new Set((this.db.prepare('SELECT team, email FROM team_members').all() as { team: string; email: string }[]).map(key));
      const after = new Set(members.map(key));
      const membersChanged = before.size !== after.size || [...after].some((k) => !before.has(k));
      this.db.prepare('DELETE FROM team_members').run();
      this.db.prepare('DELETE FROM teams').run();
      const team = this.db.prepare('INSERT OR REPLACE INTO teams (name, created_at, synced_at) VALUES (?, ?, ?)');
      for (const t of teams) team.run(t.name, t.created_at, now);
      const member = this.db.prepare('INSERT OR REPLACE INTO team_members (team, email, name, created_at, synced_at) VALUES (?, ?, ?, ?, ?)');
      for (const m of members) member.run(m.team, m.email, m.name, m.created_at, now);
      ensureSyncState(this.db, this.account);
      this.db.prepare('UPDATE sync_state SET teams_synced_at = ? WHERE account = ?').run(now, this.account);
      if (membersChanged) recomputeTalkTime(this.db);
      return { membersChanged };
      // IMMEDIATE: it reads before it writes (see SyncStore.commitPage).
    }).immediate();
  }
}
