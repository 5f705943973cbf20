/**
 * Deterministic fake Fathom data.
 *
 * Only a "skeleton" per meeting lives in memory: the listing fields (title, times, invitees,
 * recorder...). The bulky content (transcript, summary, action items, highlights, CRM matches)
 * is generated on demand from (seed, recording_id), so 10,000 meetings x 200 segments cost a
 * few MB, and the same seed always yields byte-identical JSON.
 *
 * Shapes follow components/schemas in ../shared/fathom-api/openapi.assembled.yaml.
 */

// ---------------------------------------------------------------------------------------------
// Types (the spec's objects)

export type SharedWith = 'no_teams' | 'single_team' | 'multiple_teams' | 'all_teams';
export type DomainsType = 'only_internal' | 'one_or_more_external';

export interface Invitee {
  name: string | null;
  matched_speaker_display_name: string | null;
  email: string | null;
  email_domain: string | null;
  is_external: boolean;
}

export interface FathomUser {
  name: string;
  email: string;
  email_domain: string;
  team: string | null;
}

export interface TranscriptItem {
  speaker: { display_name: string; matched_calendar_invitee_email: string | null };
  text: string;
  timestamp: string;
}

export interface MeetingSummary {
  template_name: string | null;
  markdown_formatted: string | null;
}

export interface ActionItem {
  description: string;
  user_generated: boolean;
  completed: boolean;
  recording_timestamp: string;
  recording_playback_url: string;
  assignee: { name: string | null; email: string | null; team: string | null };
}

export interface Highlight {
  type: string;
  summary: string | null;
  text?: string;
  start_time: number;
  end_time: number;
}

export interface CrmMatches {
  contacts?: { name: string; email: string; record_url: string }[];
  companies?: { name: string; record_url: string }[];
  deals?: { name: string; amount: number; record_url: string }[];
  error?: string | null;
}

/** A Meeting object exactly as the spec (and /meetings with every include flag) has it. */
export interface FullMeeting {
  title: string;
  meeting_title: string | null;
  recording_id: number;
  url: string;
  share_url: string;
  meeting_url: string | null;
  created_at: string;
  scheduled_start_time: string | null;
  scheduled_end_time: string | null;
  recording_start_time: string;
  recording_end_time: string;
  calendar_invitees_domains_type: DomainsType;
  meeting_type: string | null;
  shared_with: SharedWith;
  transcript_language: string;
  calendar_invitees: Invitee[];
  recorded_by: FathomUser;
  transcript: TranscriptItem[] | null;
  default_summary: MeetingSummary | null;
  action_items: ActionItem[] | null;
  highlights: Highlight[] | null;
  crm_matches: CrmMatches | null;
}

/** The listing part of a meeting: everything but the generated content. */
export type MeetingBase = Omit<FullMeeting, ContentKey>;
export type ContentKey = 'transcript' | 'default_summary' | 'action_items' | 'highlights' | 'crm_matches';
export const CONTENT_KEYS: readonly ContentKey[] = ['transcript', 'default_summary', 'action_items', 'highlights', 'crm_matches'];

export interface IncludeFlags {
  transcript: boolean;
  summary: boolean;
  actionItems: boolean;
  highlights: boolean;
  crmMatches: boolean;
}

export const ALL_INCLUDES: IncludeFlags = { transcript: true, summary: true, actionItems: true, highlights: true, crmMatches: true };

// ---------------------------------------------------------------------------------------------
// PRNG

/** 32-bit integer mix of several numbers (murmur3 finaliser over a running hash). */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    // Fold in the low and high 32 bits so ids above 2^32 still differ.
    const lo = v >>> 0;
    const hi = Math.floor(v / 0x1_0000_0000) >>> 0;
    for (const part of [lo, hi]) {
      h = Math.imul(h ^ part, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for fake data. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return items[items.length - 1]![0];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  token(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed pools: one internal org and four customer companies, ~40 people who recur across meetings.

export const INTERNAL_DOMAIN = 'lumenfield.io';

export interface Contact {
  name: string | null;
  email: string;
  domain: string;
  external: boolean;
  /** How the transcript labels this person when they speak. */
  speakerName: string;
  team: string | null;
}

function person(name: string | null, email: string, team: string | null = null, speakerName?: string): Contact {
  const domain = email.slice(email.indexOf('@') + 1);
  return {
    name,
    email,
    domain,
    external: domain !== INTERNAL_DOMAIN,
    speakerName: speakerName ?? name ?? email.slice(0, email.indexOf('@')),
    team,
  };
}

export const TEAMS = [
  { name: 'Sales', created_at: '2023-11-10T12:00:00Z' },
  { name: 'Engineering', created_at: '2023-11-10T12:05:00Z' },
  { name: 'Customer Success', created_at: '2024-02-01T09:30:00Z' },
  { name: 'Marketing', created_at: '2024-06-17T15:45:00Z' },
] as const;

/** The people who record meetings (recorded_by). */
export const RECORDERS: readonly Contact[] = [
  person('Zoë Lindqvist', 'zoe.lindqvist@lumenfield.io', 'Sales'),
  person('Marcus Oyelaran', 'marcus@lumenfield.io', 'Engineering'),
  person('山田 花子', 'hanako.yamada@lumenfield.io', 'Customer Success', 'Hanako Yamada'),
  person('Élodie Fournier', 'elodie.fournier@lumenfield.io', 'Sales'),
  person('Dev Patel', 'dev@lumenfield.io', null),
];

const COLLEAGUES: readonly Contact[] = [
  person('Sven Åberg', 'sven.aberg@lumenfield.io', 'Engineering'),
  person('Priya Raman', 'priya@lumenfield.io', 'Marketing'),
  person('Tomás Ó Briain', 'tomas.obriain@lumenfield.io', 'Customer Success'),
  person('陈伟', 'chen.wei@lumenfield.io', 'Engineering', 'Chen Wei'),
  person('Fatima Zahra El Idrissi', 'fatima@lumenfield.io', 'Marketing'),
  person('Noah Kim', 'noah.kim@lumenfield.io', 'Sales'),
  person(null, 'ops@lumenfield.io', null, 'Ops Room 🖥️'),
];

export const COMPANIES: Readonly<Record<string, string>> = {
  'acme.com': 'Acme Corp',
  'mueller-gmbh.de': 'Müller GmbH',
  'sakura-tech.jp': 'さくらテック株式会社',
  'alnoor-partners.com': 'النور للشركاء',
};

const EXTERNALS: readonly Contact[] = [
  person('Jane Smith', 'jane.smith@acme.com'),
  person('Robert "Bob" Tables', 'bob@acme.com', null, 'Bob Tables'),
  person('Ana María Gutiérrez', 'ana.gutierrez@acme.com'),
  person('Kwame Mensah', 'kwame.mensah@acme.com'),
  person('Olivia Brown', 'olivia.brown@acme.com'),
  person(null, 'billing@acme.com'),
  person("Liam O'Connor", 'liam.oconnor@acme.com'),
  person('Jürgen Müller', 'j.mueller@mueller-gmbh.de'),
  person('Anneliese Groß', 'a.gross@mueller-gmbh.de'),
  person('Björn Schäfer', 'b.schaefer@mueller-gmbh.de'),
  person('Dörte Weiß', 'd.weiss@mueller-gmbh.de'),
  person('Klaus-Peter Öztürk', 'kp.oeztuerk@mueller-gmbh.de'),
  person(null, 'einkauf@mueller-gmbh.de', null, 'Einkauf (Konferenzraum)'),
  person('Lena Fuchs', 'lena.fuchs@mueller-gmbh.de'),
  person('佐藤 健', 'k.sato@sakura-tech.jp'),
  person('鈴木 美咲', 'm.suzuki@sakura-tech.jp'),
  person('高橋 翔', 's.takahashi@sakura-tech.jp', null, 'Sho Takahashi'),
  person('Yuki Tanaka', 'yuki.tanaka@sakura-tech.jp'),
  person('伊藤 さくら 🌸', 'sakura.ito@sakura-tech.jp'),
  person(null, 'info@sakura-tech.jp'),
  person('محمد العلي', 'm.alali@alnoor-partners.com'),
  person('Layla Haddad', 'layla@alnoor-partners.com'),
  person('عمر الفارسي', 'omar@alnoor-partners.com', null, 'Omar Al-Farsi'),
  person('Sara Nasser', 'sara.nasser@alnoor-partners.com'),
  person('יוסי כהן', 'yossi@alnoor-partners.com'),
  person('Amir Rahimi', 'amir.rahimi@alnoor-partners.com'),
  person(null, 'procurement@alnoor-partners.com'),
  person('Chloé Dubois', 'chloe.dubois@acme.com'),
];

export const CONTACTS: readonly Contact[] = [...RECORDERS, ...COLLEAGUES, ...EXTERNALS];
const INTERNAL_PEOPLE: readonly Contact[] = [...RECORDERS, ...COLLEAGUES];
const EXTERNAL_DOMAINS = Object.keys(COMPANIES);
const EXTERNALS_BY_DOMAIN = new Map(EXTERNAL_DOMAINS.map((d) => [d, EXTERNALS.filter((c) => c.domain === d)]));

export const MEETING_TYPES = [
  { name: 'Discovery Call', status: 'active', created_at: '2023-11-10T12:00:00Z' },
  { name: 'Quarterly Business Review', status: 'active', created_at: '2023-11-10T12:00:00Z' },
  { name: 'Customer Onboarding', status: 'active', created_at: '2024-01-22T08:15:00Z' },
  { name: 'Démo produit', status: 'active', created_at: '2024-03-05T10:00:00Z' },
  { name: 'Sprint Planning', status: 'active', created_at: '2024-04-09T14:30:00Z' },
  { name: '1:1', status: 'active', created_at: '2024-04-09T14:31:00Z' },
  { name: 'Legacy Check-in', status: 'inactive', created_at: '2023-11-10T12:00:00Z' },
] as const;

const EXTERNAL_TYPES = ['Discovery Call', 'Quarterly Business Review', 'Customer Onboarding', 'Démo produit', 'Legacy Check-in'];
const INTERNAL_TYPES = ['Sprint Planning', '1:1', 'Legacy Check-in'];

/** Members of the internal org for /team_members and /users. */
export interface OrgMember {
  name: string | null;
  email: string;
  team: string | null;
  created_at: string;
  status: 'active' | 'deactivated' | 'invited';
  settings: 'none' | 'team_admin' | 'account_admin';
}

export const ORG_MEMBERS: readonly OrgMember[] = [
  ...INTERNAL_PEOPLE.map((c, i): OrgMember => ({
    name: c.name,
    email: c.email,
    team: c.team,
    created_at: new Date(Date.UTC(2023, 10, 10 + i * 9, 9 + (i % 7), (i * 13) % 60)).toISOString().replace('.000Z', 'Z'),
    status: 'active',
    settings: i === 0 ? 'account_admin' : i === 1 ? 'team_admin' : 'none',
  })),
  { name: 'Grete Holm', email: 'grete.holm@lumenfield.io', team: 'Sales', created_at: '2023-12-01T10:00:00Z', status: 'deactivated', settings: 'none' },
  { name: null, email: 'new.hire@lumenfield.io', team: 'Engineering', created_at: '2026-11-18T16:20:00Z', status: 'invited', settings: 'none' },
];

// ---------------------------------------------------------------------------------------------
// Text pools

const TITLES_EXTERNAL = [
  'Discovery call with {co}',
  '{co} × Lumenfield — QBR',
  'Onboarding: {co} 🚀',
  'Renewal discussion ({co})',
  'Démo produit pour {co}',
  '{co} security review',
  'Pricing follow-up — {co}',
  'Kickoff: {co} pilot 🎯',
];
const TITLES_INTERNAL = [
  'Weekly Engineering Sync',
  'Sprint {n} Planning',
  '1:1 {a} / {b}',
  '東京チーム週次定例',
  'Roadmap review 🚀',
  'Retro: Q{q} launch 🎉',
  'Café chat ☕',
  'مراجعة الميزانية الربعية',
  'Pipeline review',
  'Hiring sync — Backend',
  'Incident review #{n}',
];
const TITLES_NO_CALENDAR = ['Impromptu Zoom Meeting', 'Untitled Google Meet', 'Slack huddle', 'Quick call 📞'];
const EXTRA_SPEAKERS = ['Conference Room B 📞', 'iPhone de Camille', 'Guest', 'Unknown Speaker', 'Salle Émeraude'];

const SENTENCES_EN = [
  "Let's revisit the budget allocations before Friday.",
  'I think the main blocker is still the SSO integration.',
  'Can you share the deck after the call?',
  'We saw a 12% lift in activation after the onboarding change.',
  "The naïve approach works, but it won't scale past a few thousand users.",
  'Our café-style office hours are getting great feedback ☕',
  'Pricing in € and ¥ both work now 👍',
  "Honestly, the résumé parser is the piece I'm least sure about.",
  'Let me pull up the dashboard real quick.',
  "I'll loop in 佐藤さん on the localisation question.",
  "Sounds good — let's lock the scope for this sprint.",
  'Could you repeat that? You cut out for a second.',
  'The contract renewal is due on the 30th.',
  'We need sign-off from legal before we send the proposal.',
  "That's a great point; let's capture it as an action item.",
  'Quick update: the migration finished overnight without errors ✅',
  "I'm not sure the export handles right-to-left text like «مرحبا بالعالم» yet.",
  'The customer in São Paulo asked about data residency.',
  "We should align with Jürgen's team on the rollout plan.",
  'Latency is down from 480 ms to about 120 ms.',
  "Let's not boil the ocean here 🙂",
  'Who owns the follow-up with procurement?',
  "I'll send a recap email with next steps.",
  'The demo went well; they want a pilot with 25 seats.',
  'Can we move the QBR to next Thursday?',
  "There's a known issue with the CSV export and emoji 🐛",
  'Support tickets dropped by a third since the last release.',
  "Let's table that and come back to it at the end.",
  'Does anyone have context on the Zürich deal?',
  "I'd love a written summary of the trade-offs.",
  'Yes, exactly.',
  'Mm-hmm.',
  'Okay, perfect.',
  'Right, right.',
  'Thanks everyone, this was really productive! 🎉',
  'The roadmap for H1 includes API v2 and the new search.',
  'Their CTO mentioned they are evaluating two other vendors.',
  'We can offer a 10% discount on a two-year commitment.',
  "שלום לכולם, I'll keep it short today.",
  '東京のチームも来週から参加します。',
  'The budget for next quarter is still under review.',
  'Can everyone see my screen?',
];
const SENTENCES_DE = [
  'Können wir das Budget noch einmal durchgehen?',
  'Die Umstellung auf die neue Plattform läuft planmäßig.',
  'Ich schicke euch die Präsentation nach dem Termin.',
  'Wir brauchen noch die Freigabe von der Rechtsabteilung.',
  'Das klingt gut, lass uns den Umfang für diesen Sprint festlegen.',
  'Die Größe des Teams ist für uns entscheidend.',
  'Gibt es schon ein Angebot für die Verlängerung?',
  'Genau, das sehe ich auch so.',
  'Könnten Sie das bitte wiederholen? Die Verbindung war kurz weg.',
  'Wir müssen die Datenschutz-Grundverordnung berücksichtigen.',
  'Übrigens: das Büro in München ist ab Montag wieder geöffnet.',
  'Danke, bis nächste Woche! 👋',
];
const SENTENCES_OTHER = ['はい、わかりました。', 'それでは始めましょう。', 'ありがとうございます 🙏', 'Ja, genau.', 'D’accord, on fait comme ça.', 'Okay.'];

const SUMMARY_TEMPLATES: readonly (readonly [string | null, number])[] = [
  ['General', 6],
  ['Sales Discovery', 2],
  ['Customer Success', 1],
  ['Internal Sync', 1],
  [null, 0.5],
];
const PURPOSES = [
  'Review progress on the {co} rollout and agree on next steps.',
  'Align on Q{q} priorities and unblock the team.',
  'Walk {co} through the product and qualify the opportunity.',
  'Plan the next sprint and review open incidents.',
  'Discuss the renewal terms and the pricing proposal.',
];
const TAKEAWAYS = [
  ['Budget', 'the Q{q} budget is approved, with a 10% buffer for contractors.'],
  ['Timeline', 'launch moves to the second week of the month.'],
  ['Risks', 'SSO integration remains the main blocker.'],
  ['Pricing', '{co} is comparing us against two other vendors.'],
  ['Adoption', 'activation is up 12% since the onboarding change.'],
  ['Support', 'tickets dropped by a third after the last release.'],
  ['Localisation', 'right-to-left and CJK text need another QA pass.'],
] as const;
const TOPICS = ['Roadmap', 'Pricing & packaging', 'Security review', 'Onboarding', 'Hiring', 'Data residency', 'Incidents', 'Café budget ☕'];
const BULLETS = [
  'Agreed to ship the naïve version first and iterate.',
  'Legal must sign off before the proposal goes out.',
  'Data stays in the EU region (Frankfurt) by default.',
  'The pilot covers 25 seats for 60 days.',
  'Follow up with procurement on the security questionnaire.',
  'CSV export must preserve emoji and accents (é, ü, ñ).',
  'Move the QBR to Thursday.',
  'Dashboard latency is now ~120 ms.',
];
const ACTIONS = [
  'Email revised proposal to {co}',
  'Share the onboarding checklist with the team',
  'Schedule a follow-up demo for next week',
  'Send the security questionnaire back to procurement',
  'Update the roadmap doc with the Q{q} priorities',
  'Fix the CSV export bug with emoji 🐛',
  'Confirm data residency options for the São Paulo customer',
  'Book a room for the QBR on Thursday',
  'Draft the pilot success criteria',
  'Loop in legal on the contract redlines',
];
const HIGHLIGHT_TYPES = ['Objection', 'Question', 'Key moment', 'Pricing', 'Feedback 💬'];
const HIGHLIGHT_SUMMARIES = ['Pushed back on price', 'Asked about data residency', 'Agreed to a pilot', 'Concern about SSO', 'Loved the new dashboard', 'Needs legal review'];
const HIGHLIGHT_TEXTS = [
  'They pushed back hard on the price and asked for a multi-year discount.',
  'Wanted to know whether data can stay in the EU.',
  '“If the pilot goes well we roll out to all 400 seats.”',
  'SSO with their Okta tenant has to work on day one.',
];
const DEAL_NAMES = ['Q1 Renewal', 'Pilot — 25 seats', 'Enterprise expansion', 'Multi-year agreement'];

// ---------------------------------------------------------------------------------------------
// Helpers

export function isoSeconds(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19) + 'Z';
}

export function hms(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${r < 10 ? '0' : ''}${r}`;
}

function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Skeletons

/** What a meeting's listing is made of; built on first use, from (seed, slot) alone. */
export interface SkeletonDetails {
  /** Listing fields as served with include_transcript=true (invitees carry matched speaker names). */
  base: MeetingBase;
  /** Who speaks in the transcript. email null = not matched to a calendar invitee. */
  speakers: { display_name: string; email: string | null }[];
  segments: number;
  durationSec: number;
  callId: number;
}

/**
 * One meeting in memory. Only the sort keys are made eagerly, so a server with 10,000
 * meetings starts in milliseconds; the listing fields are built on first access.
 */
export class Skeleton {
  pending: boolean;
  /** Content fields replaced through updateMeeting. */
  overrides: Partial<Pick<FullMeeting, ContentKey>> | null = null;
  #details: SkeletonDetails | null = null;
  readonly #build: (sk: Skeleton) => SkeletonDetails;

  constructor(
    readonly recordingId: number,
    public createdSec: number,
    readonly slot: number,
    pending: boolean,
    build: (sk: Skeleton) => SkeletonDetails,
  ) {
    this.pending = pending;
    this.#build = build;
  }

  get details(): SkeletonDetails {
    return (this.#details ??= this.#build(this));
  }
  get base(): MeetingBase {
    return this.details.base;
  }
  get speakers(): SkeletonDetails['speakers'] {
    return this.details.speakers;
  }
  get segments(): number {
    return this.details.segments;
  }
  get durationSec(): number {
    return this.details.durationSec;
  }
  get callId(): number {
    return this.details.callId;
  }
}

export interface DataOptions {
  seed: number;
  meetingCount: number;
  now: number;
  spacingHours: number;
  segmentsPerMeeting: number | [number, number];
  pendingFraction: number;
}

const SALT = { transcript: 1, summary: 2, actions: 3, highlights: 4, crm: 5, skeleton: 6 } as const;

/** Meetings, kept sorted newest first by (created_at desc, recording_id desc). */
export class MeetingStore {
  readonly seed: number;
  readonly #opts: DataOptions;
  readonly #rng: Rng;
  readonly #build: (sk: Skeleton) => SkeletonDetails;
  readonly #ids = new Set<number>();
  readonly #byId = new Map<number, Skeleton>();
  #sorted: Skeleton[] = [];
  #nextSlot = 0;

  constructor(opts: DataOptions) {
    this.#opts = opts;
    this.seed = opts.seed;
    this.#rng = new Rng(hashInts(opts.seed, SALT.skeleton));
    this.#build = (sk) => makeDetails(opts, sk);
    const count = Math.max(0, Math.floor(opts.meetingCount));
    const pendingCount = Math.min(count, Math.round(count * Math.max(0, Math.min(1, opts.pendingFraction))));
    this.#nextSlot = count;
    const nowSec = Math.floor(opts.now / 1000);
    let created = nowSec - this.#rng.int(3 * 60, 40 * 60);
    const spacing = Math.max(0, opts.spacingHours) * 3600;
    const list: Skeleton[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) {
        // Now and then two meetings share a created_at second (two recorders, one call).
        const gap = this.#rng.chance(0.03) ? 0 : Math.max(1, Math.round(spacing * (0.25 + 1.5 * this.#rng.next())));
        created -= gap;
      }
      list.push(this.#makeSkeleton(count - 1 - i, created, i < pendingCount));
    }
    this.#sorted = list;
    this.#resort();
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** Newest first. Do not mutate. */
  get sorted(): readonly Skeleton[] {
    return this.#sorted;
  }

  get(recordingId: number): Skeleton | undefined {
    return this.#byId.get(recordingId);
  }

  require(recordingId: number): Skeleton {
    const sk = this.#byId.get(recordingId);
    if (!sk) throw new Error(`fake-server: no meeting with recording_id ${recordingId}`);
    return sk;
  }

  /** New meetings at the newest end, created after the current newest and at most ~5 min past `now`. */
  add(count: number, pending: boolean): Skeleton[] {
    const n = Math.max(0, Math.floor(count));
    const newest = this.#sorted[0]?.createdSec ?? Math.floor(this.#opts.now / 1000) - 3600;
    const limit = Math.max(newest + n + 1, Math.floor(this.#opts.now / 1000) + 300);
    const step = Math.max(1, Math.min(180, Math.floor((limit - newest) / (n + 1))));
    const added: Skeleton[] = [];
    let created = newest;
    for (let i = 0; i < n; i++) {
      created += step;
      const jittered = step >= 3 ? created - this.#rng.int(0, Math.floor(step / 3)) : created;
      added.push(this.#makeSkeleton(this.#nextSlot++, Math.max(jittered, (added[added.length - 1]?.createdSec ?? newest) + 1), pending));
    }
    this.#sorted.push(...added);
    this.#resort();
    return added;
  }

  /** Re-sorts after created_at changed. */
  touch(): void {
    this.#resort();
  }

  #resort(): void {
    this.#sorted.sort(compareDesc);
  }

  #uniqueId(slot: number): number {
    for (;;) {
      // Roughly increasing with time but neither sequential nor in created_at order.
      const id = 48_000_000 + slot * 1000 + this.#rng.int(0, 2999);
      if (!this.#ids.has(id)) {
        this.#ids.add(id);
        return id;
      }
    }
  }

  #makeSkeleton(slot: number, createdSec: number, pending: boolean): Skeleton {
    const sk = new Skeleton(this.#uniqueId(slot), createdSec, slot, pending, this.#build);
    this.#byId.set(sk.recordingId, sk);
    return sk;
  }
}

function makeDetails(opts: DataOptions, sk: Skeleton): SkeletonDetails {
  const rng = new Rng(hashInts(opts.seed, SALT.skeleton, sk.slot));
  const slot = sk.slot;
  const id = sk.recordingId;
  const createdSec = sk.createdSec;
  const callId = 301_000_000 + slot * 97 + rng.int(0, 96);
  const shareToken = rng.token(24);
  const recorder = rng.weighted(RECORDERS.map((r, i) => [r, [5, 3, 3, 3, 2][i] ?? 1] as const));
  const calendar = rng.chance(0.9);
  const external = calendar && rng.chance(0.6);

  // Invitees: the recorder, some colleagues, and for external meetings people from one
  // company (now and then a second one).
  const people: Contact[] = [];
  let company: string | null = null;
  if (calendar) {
    people.push(recorder);
    const colleagues = INTERNAL_PEOPLE.filter((c) => c !== recorder);
    const nColleagues = external ? rng.int(0, 2) : rng.int(1, 4);
    for (const c of rng.shuffle([...colleagues]).slice(0, nColleagues)) people.push(c);
    if (external) {
      company = rng.pick(EXTERNAL_DOMAINS);
      const pool = EXTERNALS_BY_DOMAIN.get(company)!;
      for (const c of rng.shuffle([...pool]).slice(0, rng.int(1, 3))) people.push(c);
      if (rng.chance(0.15)) {
        const other = rng.pick(EXTERNAL_DOMAINS.filter((d) => d !== company));
        people.push(rng.pick(EXTERNALS_BY_DOMAIN.get(other)!));
      }
    }
    rng.shuffle(people);
  }
  const speakers: Skeleton['speakers'] = [];
  const invitees: Invitee[] = people.map((c) => {
    const speaks = c === recorder || rng.chance(0.85);
    if (speaks) speakers.push({ display_name: c.speakerName, email: c.email });
    return {
      name: c.name,
      matched_speaker_display_name: speaks ? c.speakerName : null,
      email: c.email,
      email_domain: c.domain,
      is_external: c.external,
    };
  });
  if (!calendar) speakers.push({ display_name: recorder.speakerName, email: null });
  if (rng.chance(0.12)) speakers.push({ display_name: rng.pick(EXTRA_SPEAKERS), email: null });

  const segSpec = opts.segmentsPerMeeting;
  const segments = Array.isArray(segSpec) ? rng.int(Math.max(0, segSpec[0]), Math.max(segSpec[0], segSpec[1])) : Math.max(0, Math.floor(segSpec));
  const durationSec = Math.max(rng.int(8, 75) * 60 + rng.int(0, 59), segments * 5 + 30);
  const recEnd = createdSec - rng.int(15, 240);
  const recStart = recEnd - durationSec;
  let schedStart: number | null = null;
  let schedEnd: number | null = null;
  if (calendar) {
    schedStart = Math.round(recStart / 900) * 900;
    schedEnd = schedStart + rng.pick([15, 30, 30, 45, 60, 60, 90]) * 60;
  }

  const companyName = company ? COMPANIES[company]! : '';
  const vars = {
    co: companyName,
    n: rng.int(12, 140),
    q: rng.int(1, 4),
    a: recorder.name?.split(' ')[0] ?? 'Dev',
    b: (people.find((p) => p !== recorder && !p.external)?.name ?? 'Sven Åberg').split(' ')[0]!,
  };
  let meetingTitle: string | null = null;
  let title: string;
  if (calendar) {
    meetingTitle = fill(rng.pick(external ? TITLES_EXTERNAL : TITLES_INTERNAL), vars);
    title = rng.chance(0.8) ? meetingTitle : rng.chance(0.5) ? `${meetingTitle} (recording)` : fill(rng.pick(TITLES_INTERNAL), vars);
  } else {
    title = rng.pick(TITLES_NO_CALENDAR);
  }
  let meetingType: string | null = null;
  if (rng.chance(0.75)) meetingType = rng.pick(external ? EXTERNAL_TYPES : INTERNAL_TYPES);
  let meetingUrl: string | null = null;
  if (calendar && rng.chance(0.9)) {
    meetingUrl = rng.weighted<() => string>([
      [() => `https://us02web.zoom.us/j/${rng.int(81_000_000, 89_999_999)}${rng.int(100, 999)}`, 4],
      [() => `https://meet.google.com/${rng.token(3, 'abcdefghijklmnopqrstuvwxyz')}-${rng.token(4, 'abcdefghijklmnopqrstuvwxyz')}-${rng.token(3, 'abcdefghijklmnopqrstuvwxyz')}`, 4],
      [() => `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${rng.token(32)}%40thread.v2/0`, 2],
      [() => `https://app.slack.com/huddle/T0${rng.token(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}/C0${rng.token(8, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789')}`, 1],
    ])();
  }
  const language =
    company === 'mueller-gmbh.de' && rng.chance(0.4)
      ? 'de'
      : rng.weighted([
          ['en', 90],
          ['unknown', 6],
          ['de', 4],
        ] as const);
  const sharedWith = rng.weighted<SharedWith>([
    ['no_teams', 3],
    ['single_team', 3.5],
    ['multiple_teams', 1.5],
    ['all_teams', 2],
  ]);

  const base: MeetingBase = {
    title,
    meeting_title: meetingTitle,
    recording_id: id,
    url: `https://fathom.video/calls/${callId}`,
    share_url: `https://fathom.video/share/${shareToken}`,
    meeting_url: meetingUrl,
    created_at: isoSeconds(createdSec),
    scheduled_start_time: schedStart === null ? null : isoSeconds(schedStart),
    scheduled_end_time: schedEnd === null ? null : isoSeconds(schedEnd),
    recording_start_time: isoSeconds(recStart),
    recording_end_time: isoSeconds(recEnd),
    calendar_invitees_domains_type: invitees.some((i) => i.is_external) ? 'one_or_more_external' : 'only_internal',
    meeting_type: meetingType,
    shared_with: sharedWith,
    transcript_language: language,
    calendar_invitees: invitees,
    recorded_by: { name: recorder.name!, email: recorder.email, email_domain: recorder.domain, team: recorder.team },
  };
  return { base, speakers, segments, durationSec, callId };
}

export function compareDesc(a: Skeleton, b: Skeleton): number {
  return b.createdSec - a.createdSec || b.recordingId - a.recordingId;
}

/** The meeting's company: the domain of its first external invitee (null when internal only). */
export function companyDomain(base: MeetingBase): string | null {
  for (const i of base.calendar_invitees) if (i.is_external && i.email_domain) return i.email_domain;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Content, generated on demand

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

// ---------------------------------------------------------------------------------------------
// Serialisation

/**
 * The meeting as /meetings sends it with these include flags. Fields not included are null.
 * A pending meeting (content not processed yet) has transcript and default_summary null even
 * when included, and no action items yet ([]); highlights (user bookmarks) and CRM matches exist.
 * Invitees' matched_speaker_display_name is only filled when the transcript is included and
 * available (the spec: "When include_transcript is true").
 */
export function serializeMeeting(seed: number, sk: Skeleton, inc: IncludeFlags, transcriptStandIn?: unknown): FullMeeting {
  const b = sk.base;
  const o = sk.overrides;
  const withSpeakers = inc.transcript && !sk.pending;
  const invitees = withSpeakers
    ? b.calendar_invitees.map((i) => ({ ...i }))
    : b.calendar_invitees.map((i) => ({ ...i, matched_speaker_display_name: null }));
  const pick = <K extends ContentKey>(key: K, included: boolean, make: () => FullMeeting[K]): FullMeeting[K] => {
    if (!included) return null as FullMeeting[K];
    if (o && key in o) return structuredClone(o[key]) as FullMeeting[K];
    return make();
  };
  return {
    title: b.title,
    meeting_title: b.meeting_title,
    recording_id: b.recording_id,
    url: b.url,
    share_url: b.share_url,
    meeting_url: b.meeting_url,
    created_at: b.created_at,
    scheduled_start_time: b.scheduled_start_time,
    scheduled_end_time: b.scheduled_end_time,
    recording_start_time: b.recording_start_time,
    recording_end_time: b.recording_end_time,
    calendar_invitees_domains_type: b.calendar_invitees_domains_type,
    meeting_type: b.meeting_type,
    shared_with: b.shared_with,
    transcript_language: b.transcript_language,
    calendar_invitees: invitees,
    recorded_by: { ...b.recorded_by },
    transcript: pick('transcript', inc.transcript, () => (sk.pending ? null : transcriptStandIn !== undefined ? (transcriptStandIn as TranscriptItem[]) : generateTranscript(seed, sk))),
    default_summary: pick('default_summary', inc.summary, () => (sk.pending ? null : generateSummary(seed, sk))),
    action_items: pick('action_items', inc.actionItems, () => (sk.pending ? [] : generateActionItems(seed, sk))),
    highlights: pick('highlights', inc.highlights, () => generateHighlights(seed, sk)),
    crm_matches: pick('crm_matches', inc.crmMatches, () => generateCrmMatches(seed, sk)),
  };
}

/** GET /recordings/{id}/summary body value (null while pending). */
export function recordingSummary(seed: number, sk: Skeleton): MeetingSummary | null {
  if (sk.overrides && 'default_summary' in sk.overrides) return structuredClone(sk.overrides.default_summary ?? null);
  return sk.pending ? null : generateSummary(seed, sk);
}

/** GET /recordings/{id}/transcript body value (null while pending). */
export function recordingTranscript(seed: number, sk: Skeleton): TranscriptItem[] | null {
  if (sk.overrides && 'transcript' in sk.overrides) return structuredClone(sk.overrides.transcript ?? null);
  return sk.pending ? null : generateTranscript(seed, sk);
}

const STAND_IN = '\u0000transcript';
const STAND_IN_JSON = JSON.stringify(STAND_IN);

/**
 * A meeting as UTF-8 JSON, byte-identical to Buffer.from(JSON.stringify(serializeMeeting(...))),
 * with the transcript (nearly all of the bytes) written by transcriptJson.
 */
export function meetingJson(seed: number, sk: Skeleton, inc: IncludeFlags): Buffer {
  const fast = inc.transcript && !sk.pending && !(sk.overrides && 'transcript' in sk.overrides);
  if (!fast) return Buffer.from(JSON.stringify(serializeMeeting(seed, sk, inc)));
  const text = JSON.stringify(serializeMeeting(seed, sk, inc, STAND_IN));
  const at = text.indexOf(STAND_IN_JSON);
  return Buffer.concat([Buffer.from(text.slice(0, at)), transcriptJson(seed, sk), Buffer.from(text.slice(at + STAND_IN_JSON.length))]);
}

/** The body of GET /recordings/{id}/transcript, byte-identical to JSON.stringify({transcript}). */
export function recordingTranscriptJson(seed: number, sk: Skeleton): Buffer {
  if (sk.pending || (sk.overrides && 'transcript' in sk.overrides)) return Buffer.from(JSON.stringify({ transcript: recordingTranscript(seed, sk) }));
  return Buffer.concat([Buffer.from('{"transcript":'), transcriptJson(seed, sk), Buffer.from('}')]);
}
