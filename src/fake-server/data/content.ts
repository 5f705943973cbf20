import { hms } from './format.js';
import { COMPANIES, EXTERNAL_DOMAINS, INTERNAL_PEOPLE } from './org.js';
import { hashInts, Rng, SALT } from './random.js';
import { companyDomain, type Skeleton } from './skeleton.js';
import {
  ACTIONS,
  BULLETS,
  DEAL_NAMES,
  fill,
  HIGHLIGHT_SUMMARIES,
  HIGHLIGHT_TEXTS,
  HIGHLIGHT_TYPES,
  PURPOSES,
  SENTENCES_DE,
  SENTENCES_EN,
  SENTENCES_OTHER,
  SUMMARY_TEMPLATES,
  TAKEAWAYS,
  TOPICS,
} from './text.js';
import type { ActionItem, CrmMatches, Highlight, MeetingSummary, TranscriptItem } from './types.js';

/**
 * A meeting's content (transcript, summary, action items, highlights, CRM matches), generated on
 * demand from (seed, recording_id): 10,000 meetings x 200 segments cost a few MB, and the same seed
 * always yields byte-identical JSON.
 */

function contentRng(seed: number, sk: Skeleton, salt: number): Rng {
  return new Rng(hashInts(seed, sk.recordingId, salt));
}

function contentVars(sk: Skeleton, rng: Rng): Record<string, string | number> {
  const domain = companyDomain(sk.base);
  return { co: domain ? COMPANIES[domain] ?? domain : 'the team', q: rng.int(1, 4) };
}

const POOLS: readonly (readonly string[])[] = [SENTENCES_EN, SENTENCES_DE, SENTENCES_OTHER];
/** The sentences, JSON-escaped (no quotes) and UTF-8 encoded once, for the fast writer. */
const POOLS_JSON: readonly (readonly Buffer[])[] = POOLS.map((p) => p.map((t) => Buffer.from(JSON.stringify(t).slice(1, -1))));

/** A transcript as indices: who speaks, which sentences, when. Both writers below read it. */
interface TranscriptPlan {
  n: number;
  speakers: { display_name: string; email: string | null }[];
  speaker: Uint16Array;
  seconds: Uint32Array;
  /** Sentences of segment k: entries sentStart[k] .. sentStart[k + 1] - 1 of sentPool/sentIdx. */
  sentStart: Uint32Array;
  sentPool: Uint8Array;
  sentIdx: Uint16Array;
}

function planTranscript(seed: number, sk: Skeleton): TranscriptPlan {
  const rng = contentRng(seed, sk, SALT.transcript);
  const n = sk.segments;
  const speakers = sk.speakers.length > 0 ? sk.speakers : [{ display_name: sk.base.recorded_by.name, email: null }];
  const lang = sk.base.transcript_language;
  const main = lang === 'de' ? 1 : 0;
  const step = n > 0 ? (sk.durationSec - 10) / n : 0;
  const plan: TranscriptPlan = {
    n,
    speakers,
    speaker: new Uint16Array(n),
    seconds: new Uint32Array(n),
    sentStart: new Uint32Array(n + 1),
    sentPool: new Uint8Array(n * 3),
    sentIdx: new Uint16Array(n * 3),
  };
  let prev = -1;
  let m = 0;
  for (let k = 0; k < n; k++) {
    // Hand the word to someone else most of the time.
    let s = Math.floor(rng.next() * speakers.length);
    if (s === prev && speakers.length > 1 && rng.next() < 0.7) s = (s + 1) % speakers.length;
    prev = s;
    plan.speaker[k] = s;
    plan.sentStart[k] = m;
    const sentences = 1 + Math.floor(rng.next() * rng.next() * 3);
    for (let j = 0; j < sentences; j++) {
      const pool = lang === 'unknown' && rng.next() < 0.5 ? 2 : main;
      plan.sentPool[m] = pool;
      plan.sentIdx[m] = Math.floor(rng.next() * POOLS[pool]!.length);
      m++;
    }
    // step >= 5 s, so these are strictly increasing.
    plan.seconds[k] = Math.floor(k * step + rng.next() * step * 0.8);
  }
  plan.sentStart[n] = m;
  return plan;
}

export function generateTranscript(seed: number, sk: Skeleton): TranscriptItem[] {
  const plan = planTranscript(seed, sk);
  const out: TranscriptItem[] = new Array(plan.n);
  for (let k = 0; k < plan.n; k++) {
    const speaker = plan.speakers[plan.speaker[k]!]!;
    let text = '';
    for (let j = plan.sentStart[k]!; j < plan.sentStart[k + 1]!; j++) {
      text += (j > plan.sentStart[k]! ? ' ' : '') + POOLS[plan.sentPool[j]!]![plan.sentIdx[j]!];
    }
    out[k] = {
      speaker: { display_name: speaker.display_name, matched_calendar_invitee_email: speaker.email },
      text,
      timestamp: hms(plan.seconds[k]!),
    };
  }
  return out;
}

/**
 * The same transcript as JSON.stringify(generateTranscript(...)) would give, UTF-8 encoded,
 * written straight from pre-encoded pieces: a 200-segment transcript costs tens of
 * microseconds instead of building objects, stringifying and transcoding a UTF-16 string.
 */
export function transcriptJson(seed: number, sk: Skeleton): Buffer {
  const plan = planTranscript(seed, sk);
  const prefixes = plan.speakers.map((sp) =>
    Buffer.from(`{"speaker":${JSON.stringify({ display_name: sp.display_name, matched_calendar_invitee_email: sp.email })},"text":"`),
  );
  const stamps: string[] = new Array(plan.n);
  let size = 2;
  for (let k = 0; k < plan.n; k++) {
    stamps[k] = `","timestamp":"${hms(plan.seconds[k]!)}"}`;
    size += prefixes[plan.speaker[k]!]!.length + stamps[k]!.length + 1;
    for (let j = plan.sentStart[k]!; j < plan.sentStart[k + 1]!; j++) size += POOLS_JSON[plan.sentPool[j]!]![plan.sentIdx[j]!]!.length + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  out[pos++] = 0x5b; // [
  for (let k = 0; k < plan.n; k++) {
    if (k > 0) out[pos++] = 0x2c; // ,
    const prefix = prefixes[plan.speaker[k]!]!;
    prefix.copy(out, pos);
    pos += prefix.length;
    for (let j = plan.sentStart[k]!; j < plan.sentStart[k + 1]!; j++) {
      if (j > plan.sentStart[k]!) out[pos++] = 0x20; // space
      const piece = POOLS_JSON[plan.sentPool[j]!]![plan.sentIdx[j]!]!;
      piece.copy(out, pos);
      pos += piece.length;
    }
    pos += out.write(stamps[k]!, pos, 'latin1');
  }
  out[pos++] = 0x5d; // ]
  return out.subarray(0, pos);
}

export function generateSummary(seed: number, sk: Skeleton): MeetingSummary {
  const rng = contentRng(seed, sk, SALT.summary);
  const v = contentVars(sk, rng);
  const template = rng.weighted(SUMMARY_TEMPLATES);
  const lines: string[] = ['## Meeting Purpose', '', fill(rng.pick(PURPOSES), v), '', '## Key Takeaways', ''];
  for (const [label, text] of rng.shuffle([...TAKEAWAYS]).slice(0, rng.int(2, 4))) lines.push(`- **${label}**: ${fill(text, v)}`);
  lines.push('', '## Topics', '');
  for (const topic of rng.shuffle([...TOPICS]).slice(0, rng.int(1, 3))) {
    lines.push(`### ${topic}`, '');
    for (const b of rng.shuffle([...BULLETS]).slice(0, rng.int(1, 3))) lines.push(`- ${b}`);
    lines.push('');
  }
  lines.push('## Next Steps', '');
  const names = sk.base.calendar_invitees.map((i) => i.name).filter((x): x is string => x !== null);
  if (names.length === 0) names.push(sk.base.recorded_by.name);
  for (let i = rng.int(1, 3); i > 0; i--) lines.push(`- ${rng.pick(names)}: ${fill(rng.pick(ACTIONS), v)}`);
  return { template_name: template, markdown_formatted: lines.join('\n') + '\n' };
}

export function generateActionItems(seed: number, sk: Skeleton): ActionItem[] {
  const rng = contentRng(seed, sk, SALT.actions);
  const v = contentVars(sk, rng);
  const count = rng.int(0, 5);
  const internal = sk.base.calendar_invitees.filter((i) => !i.is_external);
  const external = sk.base.calendar_invitees.filter((i) => i.is_external);
  const teamOf = (email: string | null) => INTERNAL_PEOPLE.find((c) => c.email === email)?.team ?? null;
  const out: ActionItem[] = [];
  for (let k = 0; k < count; k++) {
    const at = rng.int(30, Math.max(31, sk.durationSec - 5));
    let assignee: ActionItem['assignee'];
    const r = rng.next();
    if (r < 0.7) {
      const who = internal.length > 0 && rng.next() < 0.6 ? rng.pick(internal) : null;
      assignee = who
        ? { name: who.name, email: who.email, team: teamOf(who.email) }
        : { name: sk.base.recorded_by.name, email: sk.base.recorded_by.email, team: sk.base.recorded_by.team };
    } else if (r < 0.85 && external.length > 0) {
      const who = rng.pick(external);
      assignee = { name: who.name, email: who.email, team: null };
    } else {
      assignee = { name: null, email: null, team: null };
    }
    out.push({
      description: fill(rng.pick(ACTIONS), v),
      user_generated: rng.chance(0.15),
      completed: rng.chance(0.2),
      recording_timestamp: hms(at),
      recording_playback_url: `https://fathom.video/calls/${sk.callId}?timestamp=${at}`,
      assignee,
    });
  }
  // In recording order, like Fathom lists them.
  return out.sort((a, b) => a.recording_timestamp.localeCompare(b.recording_timestamp));
}

export function generateHighlights(seed: number, sk: Skeleton): Highlight[] {
  const rng = contentRng(seed, sk, SALT.highlights);
  const out: Highlight[] = [];
  for (let k = rng.int(0, 3); k > 0; k--) {
    const start = rng.int(0, Math.max(0, sk.durationSec - 60)) + (rng.chance(0.3) ? 0.5 : 0);
    const end = start + rng.int(4, 45) + (rng.chance(0.5) ? 0.5 : 0);
    const type = rng.pick(HIGHLIGHT_TYPES);
    const summary = rng.chance(0.8) ? rng.pick(HIGHLIGHT_SUMMARIES) : null;
    // `text` is only present when it differs from the summary.
    out.push(rng.chance(0.5) ? { type, summary, text: rng.pick(HIGHLIGHT_TEXTS), start_time: start, end_time: end } : { type, summary, start_time: start, end_time: end });
  }
  return out.sort((a, b) => a.start_time - b.start_time);
}

export function generateCrmMatches(seed: number, sk: Skeleton): CrmMatches {
  const rng = contentRng(seed, sk, SALT.crm);
  if (rng.chance(0.25)) return { error: 'no CRM connected' };
  const domain = companyDomain(sk.base);
  if (!domain) return { contacts: [], companies: [], deals: [] };
  const contacts = sk.base.calendar_invitees
    .filter((i) => i.is_external && i.email)
    .map((i) => ({ name: i.name ?? i.email!, email: i.email!, record_url: `https://app.hubspot.com/contacts/${hashInts(seed, 1, hashInts(...[...i.email!].map((c) => c.codePointAt(0)!))) % 9_000_000 + 1_000_000}` }));
  const companies = [{ name: COMPANIES[domain] ?? domain, record_url: `https://app.hubspot.com/companies/${(hashInts(seed, 2, EXTERNAL_DOMAINS.indexOf(domain)) % 900_000) + 100_000}` }];
  const deals: NonNullable<CrmMatches['deals']> = [];
  for (let k = rng.int(0, 2); k > 0; k--) {
    deals.push({ name: rng.pick(DEAL_NAMES), amount: rng.int(5, 400) * 250 + (rng.chance(0.2) ? 0.5 : 0), record_url: `https://app.hubspot.com/deals/${rng.int(100_000, 999_999)}` });
  }
  return { contacts, companies, deals };
}
