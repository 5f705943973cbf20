import { recomputeTalkTime } from '../talk-time-store.js';

/**
 * Schema version 4, "the read side" (search, show, export, stats):
 * - action_items gets an integer id so that it can be the content of a full-text index
 *   (action_items_fts, kept by triggers: action items are few, unlike transcript lines);
 * - talk_time and talk_time_speakers hold each meeting's talk time;
 * - meeting_search_fts indexes each meeting as a whole, for ranking in search;
 * - teams and team_members hold what /teams and /team_members said, so people known to be on
 *   the team count as internal.
 * The same statements are in schema.sql for new databases.
 */
export function readSideSql(): string {
  return `
    CREATE TABLE action_items_v3 (
      id                   INTEGER PRIMARY KEY,
      recording_id         INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
      seq                  INTEGER NOT NULL,
      description          TEXT,
      user_generated       INTEGER,
      completed            INTEGER,
      recording_timestamp  TEXT,
      start_seconds        INTEGER,
      playback_url         TEXT,
      assignee_name        TEXT,
      assignee_email       TEXT,
      assignee_team        TEXT,
      UNIQUE (recording_id, seq)
    );
    INSERT INTO action_items_v3 (recording_id, seq, description, user_generated, completed, recording_timestamp, start_seconds,
                                 playback_url, assignee_name, assignee_email, assignee_team)
      SELECT recording_id, seq, description, user_generated, completed, recording_timestamp, start_seconds,
             playback_url, assignee_name, assignee_email, assignee_team
        FROM action_items ORDER BY recording_id, seq;
    DROP TABLE action_items;
    ALTER TABLE action_items_v3 RENAME TO action_items;
    ${ACTION_ITEMS_INDEX_SQL}
    INSERT INTO action_items_fts (action_items_fts) VALUES ('rebuild');
    ${TALK_TIME_AND_TEAMS_SQL}
    CREATE VIRTUAL TABLE meeting_search_fts USING fts5 (
      title, summary, actions, transcript,
      content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER meeting_search_fts_delete AFTER DELETE ON meetings BEGIN
      DELETE FROM meeting_search_fts WHERE rowid = old.recording_id;
    END;
    ALTER TABLE sync_state ADD COLUMN teams_synced_at TEXT;`;
}

export const ACTION_ITEMS_INDEX_SQL = `
    CREATE INDEX action_items_assignee ON action_items (assignee_email);
    CREATE VIRTUAL TABLE action_items_fts USING fts5 (
      description, assignee_name,
      content = 'action_items', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER action_items_fts_insert AFTER INSERT ON action_items BEGIN
      INSERT INTO action_items_fts (rowid, description, assignee_name) VALUES (new.id, new.description, new.assignee_name);
    END;
    CREATE TRIGGER action_items_fts_delete AFTER DELETE ON action_items BEGIN
      INSERT INTO action_items_fts (action_items_fts, rowid, description, assignee_name) VALUES ('delete', old.id, old.description, old.assignee_name);
    END;
    CREATE TRIGGER action_items_fts_update AFTER UPDATE OF description, assignee_name ON action_items BEGIN
      INSERT INTO action_items_fts (action_items_fts, rowid, description, assignee_name) VALUES ('delete', old.id, old.description, old.assignee_name);
      INSERT INTO action_items_fts (rowid, description, assignee_name) VALUES (new.id, new.description, new.assignee_name);
    END;`;

export const TALK_TIME_AND_TEAMS_SQL = `
    CREATE TABLE talk_time (
      recording_id         INTEGER PRIMARY KEY REFERENCES meetings (recording_id) ON DELETE CASCADE,
      total_seconds        REAL NOT NULL,
      internal_share       REAL NOT NULL,
      external_share       REAL NOT NULL,
      unknown_share        REAL NOT NULL,
      switches_per_minute  REAL NOT NULL
    );
    CREATE TABLE talk_time_speakers (
      recording_id               INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
      seq                        INTEGER NOT NULL,
      name                       TEXT NOT NULL,
      email                      TEXT,
      external                   INTEGER,
      seconds                    REAL NOT NULL,
      share                      REAL NOT NULL,
      longest_monologue_seconds  REAL NOT NULL,
      questions                  INTEGER NOT NULL,
      PRIMARY KEY (recording_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE teams (
      name        TEXT PRIMARY KEY,
      created_at  TEXT,
      synced_at   TEXT NOT NULL
    );
    CREATE TABLE team_members (
      team        TEXT NOT NULL,
      email       TEXT NOT NULL COLLATE NOCASE,
      name        TEXT,
      created_at  TEXT,
      synced_at   TEXT NOT NULL,
      PRIMARY KEY (team, email)
    ) WITHOUT ROWID;
    CREATE INDEX team_members_email ON team_members (email);`;

/** Talk time for every meeting already stored with a transcript. */
export const fillTalkTime = recomputeTalkTime;
