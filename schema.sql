-- fathom-sync database schema, version 6 (what every migration in src/db/migrate.ts adds up to).
-- Applied by the program (src/db/migrate.ts) to a new database; later versions add numbered
-- migrations there and bump PRAGMA user_version, so existing data is carried forward.
-- Times are ISO-8601 UTC text in one form, YYYY-MM-DDTHH:MM:SS.sssZ (always with milliseconds),
-- so comparing them as text orders them in time. Fathom's own time strings are normalised to it;
-- raw_json keeps them exactly as sent.

CREATE TABLE meetings (
  recording_id                    INTEGER PRIMARY KEY,      -- Fathom's only stable key
  title                           TEXT,
  meeting_title                   TEXT,                     -- calendar event title
  meeting_type                    TEXT,
  url                             TEXT,
  share_url                       TEXT,
  meeting_url                     TEXT,                     -- Zoom/Meet/Teams join link
  created_at                      TEXT NOT NULL,            -- what the API's date filters use
  scheduled_start_time            TEXT,
  scheduled_end_time              TEXT,
  recording_start_time            TEXT,
  recording_end_time              TEXT,
  duration_seconds                REAL,                     -- recording end - start
  calendar_invitees_domains_type  TEXT,
  shared_with                     TEXT,
  transcript_language             TEXT,
  recorded_by_name                TEXT,
  recorded_by_email               TEXT,
  recorded_by_email_domain        TEXT,
  recorded_by_team                TEXT,
  summary_template_name           TEXT,
  summary_markdown                TEXT,
  crm_matches_json                TEXT,
  attendee_count                  INTEGER NOT NULL DEFAULT 0,
  transcript_segment_count        INTEGER NOT NULL DEFAULT 0,
  action_item_count               INTEGER NOT NULL DEFAULT 0,
  has_summary                     INTEGER NOT NULL DEFAULT 0,
  has_transcript                  INTEGER NOT NULL DEFAULT 0,
  -- 0 while Fathom has not produced the summary or transcript yet: later runs fetch it again.
  content_complete                INTEGER NOT NULL DEFAULT 0,
  raw_json                        TEXT NOT NULL,            -- the last payload, verbatim
  payload_sha256                  TEXT NOT NULL,            -- to tell a changed meeting from a re-read one
  first_synced_at                 TEXT NOT NULL,
  last_synced_at                  TEXT NOT NULL,
  last_changed_at                 TEXT NOT NULL,
  -- Runs in a row that asked for the summary and transcript and found them not ready, and when the
  -- last one asked: after 3, a meeting is asked once a day only (content_complete = 0 only).
  content_attempts                INTEGER NOT NULL DEFAULT 0,
  content_checked_at              TEXT
);
CREATE INDEX meetings_created_at ON meetings (created_at DESC);
CREATE INDEX meetings_recorded_by ON meetings (recorded_by_email);
CREATE INDEX meetings_incomplete ON meetings (created_at) WHERE content_complete = 0;

CREATE TABLE meeting_attendees (
  recording_id                  INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
  seq                           INTEGER NOT NULL,           -- position in calendar_invitees
  name                          TEXT,
  email                         TEXT,
  email_domain                  TEXT,
  is_external                   INTEGER,
  matched_speaker_display_name  TEXT,
  PRIMARY KEY (recording_id, seq)
) WITHOUT ROWID;
CREATE INDEX meeting_attendees_email ON meeting_attendees (email);

CREATE TABLE transcript_segments (
  id             INTEGER PRIMARY KEY,
  recording_id   INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
  seq            INTEGER NOT NULL,
  speaker_name   TEXT,
  speaker_email  TEXT,
  text           TEXT NOT NULL,
  timestamp      TEXT,                                      -- HH:MM:SS as sent
  start_seconds  INTEGER,                                   -- the same, in seconds
  UNIQUE (recording_id, seq)
);

CREATE TABLE action_items (
  id                   INTEGER PRIMARY KEY,                 -- for the full-text index
  recording_id         INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
  seq                  INTEGER NOT NULL,                    -- action items have no id of their own
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
CREATE INDEX action_items_assignee ON action_items (assignee_email);

CREATE TABLE highlights (
  recording_id  INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL,
  type          TEXT,
  summary       TEXT,
  text          TEXT,
  start_time    REAL,
  end_time      REAL,
  PRIMARY KEY (recording_id, seq)
) WITHOUT ROWID;

-- One row per email address seen among attendees.
CREATE TABLE contacts (
  email             TEXT PRIMARY KEY COLLATE NOCASE,
  name              TEXT,
  email_domain      TEXT,
  is_external       INTEGER,
  first_meeting_at  TEXT,
  last_meeting_at   TEXT
);

-- One row per account (profile), made by its first run.
CREATE TABLE sync_state (
  account           TEXT PRIMARY KEY,
  -- created_at up to which every meeting is known to be stored (minus Fathom's lag, which the
  -- incremental lookback covers). Moves only forward, only when a whole window completes.
  bookmark          TEXT,
  last_success_at   TEXT,
  last_run_id       INTEGER,
  last_error        TEXT,
  last_error_at     TEXT,
  -- A backfill (--all, --since) that stopped before reaching its start: created_at from
  -- backfill_from (NULL: the beginning) up to backfill_before may be missing, and incremental
  -- runs read it a slice at a time until it is done. No backfill pending when backfill_before is NULL.
  -- backfill_before moves down only when a whole time slice below it has been read to its last
  -- page, so it holds whatever order Fathom lists meetings in.
  backfill_from     TEXT,
  backfill_before   TEXT,
  -- When /teams and /team_members were last read (at most once a day).
  teams_synced_at   TEXT
);

CREATE TABLE sync_runs (
  id                INTEGER PRIMARY KEY,
  trigger           TEXT NOT NULL,                          -- manual | schedule
  mode              TEXT NOT NULL,                          -- quick | all | range | last | incremental | resume
  window_start      TEXT,
  window_end        TEXT,
  filters_json      TEXT,
  pid               INTEGER,
  started_at        TEXT NOT NULL,
  ended_at          TEXT,
  status            TEXT NOT NULL,                          -- running | ok | failed | interrupted | skipped
  pages             INTEGER NOT NULL DEFAULT 0,
  requests          INTEGER NOT NULL DEFAULT 0,
  retries           INTEGER NOT NULL DEFAULT 0,
  rate_limited      INTEGER NOT NULL DEFAULT 0,
  meetings_seen     INTEGER NOT NULL DEFAULT 0,
  meetings_new      INTEGER NOT NULL DEFAULT 0,
  meetings_updated  INTEGER NOT NULL DEFAULT 0,
  items_skipped     INTEGER NOT NULL DEFAULT 0,
  error             TEXT,
  account           TEXT NOT NULL DEFAULT 'default'       -- the profile whose run it was
);
CREATE INDEX sync_runs_started_at ON sync_runs (started_at);
CREATE INDEX sync_runs_account ON sync_runs (account, id);

-- Which accounts (profiles) see which meeting: a meeting is stored once, whoever synced it.
CREATE TABLE account_meetings (
  account        TEXT NOT NULL,
  recording_id   INTEGER NOT NULL REFERENCES meetings (recording_id) ON DELETE CASCADE,
  first_seen_at  TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL,
  PRIMARY KEY (account, recording_id)
) WITHOUT ROWID;
CREATE INDEX account_meetings_recording ON account_meetings (recording_id);

-- Items Fathom sent that failed validation: reported, not stored.
CREATE TABLE skipped_items (
  run_id        INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  recording_id  INTEGER,
  reason        TEXT NOT NULL
);

-- Full-text search over titles, summaries and transcripts. External-content tables: the text
-- lives once, in meetings / transcript_segments, and the index is kept current inside the same
-- transaction as every write.
CREATE VIRTUAL TABLE meetings_fts USING fts5 (
  title, meeting_title, summary_markdown,
  content = 'meetings', content_rowid = 'recording_id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER meetings_fts_insert AFTER INSERT ON meetings BEGIN
  INSERT INTO meetings_fts (rowid, title, meeting_title, summary_markdown)
  VALUES (new.recording_id, new.title, new.meeting_title, new.summary_markdown);
END;
CREATE TRIGGER meetings_fts_delete AFTER DELETE ON meetings BEGIN
  INSERT INTO meetings_fts (meetings_fts, rowid, title, meeting_title, summary_markdown)
  VALUES ('delete', old.recording_id, old.title, old.meeting_title, old.summary_markdown);
END;
CREATE TRIGGER meetings_fts_update AFTER UPDATE OF title, meeting_title, summary_markdown ON meetings BEGIN
  INSERT INTO meetings_fts (meetings_fts, rowid, title, meeting_title, summary_markdown)
  VALUES ('delete', old.recording_id, old.title, old.meeting_title, old.summary_markdown);
  INSERT INTO meetings_fts (rowid, title, meeting_title, summary_markdown)
  VALUES (new.recording_id, new.title, new.meeting_title, new.summary_markdown);
END;

-- transcript_fts is kept current by the writer (src/db/meeting-store.ts), in the same transaction
-- as the transcript rows, instead of by triggers: a per-row trigger made ingest ~4x slower (see
-- `npm run bench`). After editing transcript_segments by hand, rebuild it with
--   INSERT INTO transcript_fts (transcript_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE transcript_fts USING fts5 (
  text, speaker_name,
  content = 'transcript_segments', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);

-- Action items in the full-text index (search --in actions), kept current by triggers: there are
-- few of them per meeting, so triggers cost little here (unlike transcript lines).
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
END;

-- One row per meeting (titles, summary, action items, the whole transcript) for ranking meetings
-- in `search`: bm25 over whole meetings stays fast however common the words, and the lines are
-- then picked inside the best meetings. Contentless: the text is in the tables above; the meeting
-- writer keeps it current (src/db/meeting-search-index.ts).
CREATE VIRTUAL TABLE meeting_search_fts USING fts5 (
  title, summary, actions, transcript,
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER meeting_search_fts_delete AFTER DELETE ON meetings BEGIN
  DELETE FROM meeting_search_fts WHERE rowid = old.recording_id;
END;

-- Talk time of each meeting with a transcript, computed when it is written (README "Talk time").
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
  seq                        INTEGER NOT NULL,              -- longest talker first
  name                       TEXT NOT NULL,                 -- the transcript's display_name
  email                      TEXT,
  external                   INTEGER,                       -- 1 external, 0 internal, NULL unknown
  seconds                    REAL NOT NULL,
  share                      REAL NOT NULL,
  longest_monologue_seconds  REAL NOT NULL,
  questions                  INTEGER NOT NULL,
  PRIMARY KEY (recording_id, seq)
) WITHOUT ROWID;

-- Fathom's teams and their members (GET /teams, /team_members): people known to be internal.
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
CREATE INDEX team_members_email ON team_members (email);

PRAGMA user_version = 6;
