/**
 * Ground truth for the read commands, worked out from the API's data (the fake server's
 * meetings) by code that shares nothing with src/: talk time by the README's definitions, word
 * matches for search, and counts for list, tasks, people and stats.
 */

type Any = Record<string, any>;

const hmsSeconds = (t: string | null | undefined): number | null => {
  const m = t ? /^(\d+):(\d\d):(\d\d)$/.exec(t) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
};

/** The README's definitions, written out again from scratch. */
export function expectedTalkTime(m: Any, teamMembers: { name: string | null; email: string }[] = []): Any | null {
  const lines: Any[] = m.transcript ?? [];
  if (lines.length === 0) return null;
  const dur: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i === lines.length - 1) dur.push(String(lines[i].text).trim().split(/\s+/).filter((w) => w.length > 0).length * 0.4);
    else {
      const a = hmsSeconds(lines[i].timestamp);
      const b = hmsSeconds(lines[i + 1].timestamp);
      dur.push(a === null || b === null ? 0 : Math.max(0, b - a));
    }
  }
  const total = dur.reduce((x, y) => x + y, 0);
  const names: string[] = [];
  const seconds = new Map<string, number>();
  const longest = new Map<string, number>();
  const questions = new Map<string, number>();
  const emails = new Map<string, string>();
  let switches = 0;
  let runName = '';
  let runSeconds = 0;
  lines.forEach((l, i) => {
    const name = l.speaker?.display_name ?? 'Unknown speaker';
    if (!seconds.has(name)) names.push(name);
    seconds.set(name, (seconds.get(name) ?? 0) + dur[i]!);
    questions.set(name, (questions.get(name) ?? 0) + (String(l.text).match(/\?+/g)?.length ?? 0));
    const email = l.speaker?.matched_calendar_invitee_email;
    if (email && !emails.has(name)) emails.set(name, email);
    if (i > 0 && name !== runName) switches++;
    runSeconds = i > 0 && name === runName ? runSeconds + dur[i]! : dur[i]!;
    runName = name;
    longest.set(name, Math.max(longest.get(name) ?? 0, runSeconds));
  });
  const invitees: Any[] = m.calendar_invitees ?? [];
  const lc = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : null);
  const side = (name: string): boolean | null => {
    const email = emails.get(name);
    const inv =
      (email && invitees.find((a) => lc(a.email) === lc(email))) ||
      invitees.find((a) => lc(a.matched_speaker_display_name) === lc(name)) ||
      invitees.find((a) => lc(a.name) === lc(name));
    if (inv && typeof inv.is_external === 'boolean') return inv.is_external;
    const rec = m.recorded_by;
    const e = email ?? inv?.email;
    if (rec && ((e && lc(rec.email) === lc(e)) || lc(rec.name) === lc(name))) return false;
    if (teamMembers.some((t) => (e && lc(t.email) === lc(e)) || lc(t.name) === lc(name))) return false;
    return null;
  };
  const speakers = names.map((name) => ({ name, external: side(name), seconds: seconds.get(name)!, share: total > 0 ? seconds.get(name)! / total : 0, longest_monologue_seconds: longest.get(name)!, questions: questions.get(name)! }));
  const shareOf = (v: boolean | null) => speakers.filter((s) => s.external === v).reduce((x, s) => x + s.share, 0);
  return {
    total_seconds: total,
    internal_share: shareOf(false),
    external_share: shareOf(true),
    unknown_share: shareOf(null),
    switches_per_minute: total > 0 ? switches / (total / 60) : 0,
    speakers: new Map(speakers.map((s) => [s.name, s])),
  };
}

/** Whole-word, case- and accent-insensitive: what the index's unicode61 tokenizer finds for a plain word. */
export function containsWord(text: string | null | undefined, word: string): boolean {
  if (!text) return false;
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .includes(fold(word));
}

/** Every place a plain word occurs, by kind, as the search command should count them. */
export function expectedWordHits(meetings: Any[], word: string): { kind: string; recording_id: number }[] {
  const hits: { kind: string; recording_id: number }[] = [];
  for (const m of meetings) {
    if (containsWord(m.title, word) || containsWord(m.meeting_title, word)) hits.push({ kind: 'title', recording_id: m.recording_id });
    if (containsWord(m.default_summary?.markdown_formatted, word)) hits.push({ kind: 'summary', recording_id: m.recording_id });
    for (const l of m.transcript ?? []) if (containsWord(l.text, word)) hits.push({ kind: 'transcript', recording_id: m.recording_id });
    for (const a of m.action_items ?? []) if (containsWord(a.description, word)) hits.push({ kind: 'action_item', recording_id: m.recording_id });
  }
  return hits;
}

/** A CSV reader written the RFC 4180 way, to read back what export wrote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
    i += 1;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
