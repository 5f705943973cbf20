import type { CursorCodec } from './cursor.js';
import { MEETING_TYPES, ORG_MEMBERS, TEAMS } from './data/org.js';
import { badRequest, errorReply, type Reply } from './reply.js';

const USER_STATUS_ORDER = { active: 0, deactivated: 1, invited: 2 } as const;

/**
 * The small, fixed lists: /meeting_types, /teams, /team_members and /users. They page by offset;
 * the cursor also names the list and its filters, so a cursor from one list is refused by another.
 */
export class ListRoutes {
  readonly #cursors: CursorCodec;
  readonly #pageSize: number;

  constructor(cursors: CursorCodec, pageSize: number) {
    this.#cursors = cursors;
    this.#pageSize = pageSize;
  }

  meetingTypes(query: URLSearchParams): Reply {
    return this.#paginate(query, 'meeting_types', MEETING_TYPES.map((t) => ({ ...t })));
  }

  teams(query: URLSearchParams): Reply {
    return this.#paginate(query, 'teams', TEAMS.map((t) => ({ ...t })));
  }

  teamMembers(query: URLSearchParams): Reply {
    const team = query.get('team');
    const members = ORG_MEMBERS.filter((m) => m.status === 'active' && (team === null || m.team === team)).map((m) => ({
      name: m.name ?? m.email.slice(0, m.email.indexOf('@')),
      email: m.email,
      created_at: m.created_at,
    }));
    return this.#paginate(query, `team_members:${team ?? ''}`, members);
  }

  /** Account admins only; everyone else gets 403. */
  users(query: URLSearchParams, admin: boolean): Reply {
    if (!admin) return errorReply(403, 'Forbidden: only account admins can list users');
    const status = query.get('status');
    const settings = query.get('settings_access');
    const team = query.get('team');
    if (status !== null && !['active', 'deactivated', 'invited'].includes(status)) return badRequest('status must be one of: active, deactivated, invited');
    if (settings !== null && !['none', 'team_admin', 'account_admin'].includes(settings)) {
      return badRequest('settings_access must be one of: none, team_admin, account_admin');
    }
    if (status === 'invited' && settings !== null) return badRequest('status=invited cannot be combined with settings_access');
    const allTeams = TEAMS.map((t) => t.name);
    const users = [...ORG_MEMBERS]
      .sort((a, b) => USER_STATUS_ORDER[a.status] - USER_STATUS_ORDER[b.status])
      .filter((m) => (status === null || m.status === status) && (settings === null || (m.status !== 'invited' && m.settings === settings)) && (team === null || m.team === team))
      .map((m) => {
        const u: Record<string, unknown> = { name: m.name, email: m.email, created_at: m.created_at, status: m.status };
        // Invited users have not accepted yet, so they have no permissions to show.
        if (m.status !== 'invited') {
          u.permissions = {
            settings_access: { level: m.settings, teams: m.settings === 'account_admin' ? allTeams : m.settings === 'team_admin' && m.team ? [m.team] : [] },
            view_access: m.settings === 'account_admin' ? { level: 'all_teams', teams: allTeams } : m.team ? { level: 'team', teams: [m.team] } : { level: 'own_meetings', teams: [] },
          };
        }
        return u;
      });
    return this.#paginate(query, `users:${status ?? ''}:${settings ?? ''}:${team ?? ''}`, users);
  }

  #paginate(query: URLSearchParams, kind: string, all: unknown[]): Reply {
    let offset = 0;
    const rawCursor = query.get('cursor');
    if (rawCursor !== null && rawCursor !== '') {
      const c = this.#cursors.decode(rawCursor);
      if (!c || c.k !== kind || typeof c.o !== 'number' || c.o < 0) return badRequest('Invalid cursor');
      offset = c.o;
    }
    const items = all.slice(offset, offset + this.#pageSize);
    const end = offset + items.length;
    const next = end < all.length ? this.#cursors.encode({ k: kind, o: end }) : null;
    return { status: 200, body: { limit: this.#pageSize, next_cursor: next, items } };
  }
}
