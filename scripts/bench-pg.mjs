// The PostgreSQL figure of `npm run bench` (BENCH_FIGURES=pg): `run --all --db postgres://...` vs a
// minimal multi-row INSERT loop with the same driver (pg) into the same schema, in the same run.
// The server is BENCH_PG_URL (a database the bench may create databases on), else a throwaway one
// started like the test command's (scripts/test.mjs).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

/** A server URL for the bench and how to stop it (nothing to stop when BENCH_PG_URL names one). */
export async function benchPgServer(root) {
  if (process.env.BENCH_PG_URL) return { url: process.env.BENCH_PG_URL, stop: () => {} };
  const { REQUIREMENTS } = await import(pathToFileURL(path.join(root, 'scripts', 'test.mjs')).href);
  const requirement = REQUIREMENTS.find((r) => r.name === 'postgresql');
  const provided = await requirement.provide();
  return { url: provided.env.FATHOM_SYNC_TEST_PG_URL, stop: () => provided.stop?.() };
}

/** A new empty database on the server; returns its URL. */
export async function createDatabase(serverUrl, name) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** `INSERT INTO t (cols) VALUES (...), (...)`: one statement for all `rows`. */
async function insertMany(client, table, columns, rows, extra = '') {
  if (rows.length === 0) return;
  const params = [];
  const values = rows.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
  await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}${extra}`, params);
}

/**
 * The baseline: the same rows (and the per-meeting search document the schema requires), read from
 * the same server, written with multi-row INSERTs in page-sized transactions. Only the insert time counts.
 */
export async function bareInsertPg(root, server, url, fetchJson) {
  const { migratePg } = await import(pathToFileURL(path.join(root, 'dist', 'db', 'pg', 'schema.js')).href);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await migratePg(client, new Date().toISOString());
  let insertMs = 0;
  let meetings = 0;
  let cursor = null;
  const flags = 'include_transcript=true&include_summary=true&include_action_items=true&include_highlights=true&include_crm_matches=true';
  try {
    do {
      const page = await fetchJson(`${server.url}/meetings?${flags}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, server.apiKey);
      const items = page.items;
      const t0 = process.hrtime.bigint();
      await client.query('BEGIN');
      await insertMany(client, 'meetings', ['recording_id', 'title', 'meeting_title', 'created_at', 'summary_markdown', 'raw_json', 'payload_sha256', 'first_synced_at', 'last_synced_at', 'last_changed_at'],
        items.map((m) => [m.recording_id, m.title, m.meeting_title, m.created_at, m.default_summary?.markdown_formatted ?? null, JSON.stringify(m), '', '', '', '']));
      await insertMany(client, 'meeting_attendees', ['recording_id', 'seq', 'name', 'email', 'email_domain', 'is_external'],
        items.flatMap((m) => m.calendar_invitees.map((a, i) => [m.recording_id, i, a.name, a.email, a.email_domain, a.is_external ? 1 : 0])));
      const segments = items.flatMap((m) => (m.transcript ?? []).map((s, i) => [m.recording_id, i, s.speaker.display_name, s.speaker.matched_calendar_invitee_email ?? null, s.text, s.timestamp]));
      // 6 parameters a row: chunks under PostgreSQL's 65,535 parameters a statement.
      for (let i = 0; i < segments.length; i += 5000) await insertMany(client, 'transcript_segments', ['recording_id', 'seq', 'speaker_name', 'speaker_email', 'text', 'timestamp'], segments.slice(i, i + 5000));
      await insertMany(client, 'action_items', ['recording_id', 'seq', 'description', 'completed'], items.flatMap((m) => (m.action_items ?? []).map((a, i) => [m.recording_id, i, a.description, a.completed ? 1 : 0])));
      await insertMany(client, 'highlights', ['recording_id', 'seq', 'type', 'summary', 'start_time', 'end_time'], items.flatMap((m) => (m.highlights ?? []).map((h, i) => [m.recording_id, i, h.type, h.summary, h.start_time, h.end_time])));
      const params = [];
      const docs = items.map((m) => {
        params.push(m.recording_id, [m.title, m.meeting_title].filter(Boolean).join('\n'), m.default_summary?.markdown_formatted ?? '', (m.action_items ?? []).map((a) => a.description ?? '').join('\n'), (m.transcript ?? []).map((t) => t.text).join('\n'));
        const n = params.length;
        return `($${n - 4}::bigint, setweight(to_tsvector('simple', $${n - 3}), 'A') || setweight(to_tsvector('simple', $${n - 2}), 'B') || setweight(to_tsvector('simple', $${n - 1}), 'B') || setweight(to_tsvector('simple', $${n}), 'C'))`;
      });
      if (docs.length) await client.query(`INSERT INTO meeting_search (recording_id, document) VALUES ${docs.join(', ')}`, params);
      await client.query('COMMIT');
      insertMs += Number(process.hrtime.bigint() - t0) / 1e6;
      meetings += items.length;
      cursor = page.next_cursor;
    } while (cursor);
  } finally {
    await client.end();
  }
  return { insertMs, meetings };
}
