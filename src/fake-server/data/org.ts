/**
 * The fake organisation: one internal org and four customer companies, ~40 people who recur
 * across meetings, its teams and meeting types.
 */

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

/**
 * Customers who record with their own Fathom account and share the call with the org. Fathom lists
 * their calls only to a query that names them in recorded_by[] (the spec: without recorded_by[],
 * "calls from users external to your Org will not be returned").
 */
export const OUTSIDE_RECORDERS: readonly Contact[] = [EXTERNALS[0]!, EXTERNALS[14]!];

export const CONTACTS: readonly Contact[] = [...RECORDERS, ...COLLEAGUES, ...EXTERNALS];
export const INTERNAL_PEOPLE: readonly Contact[] = [...RECORDERS, ...COLLEAGUES];
export const EXTERNAL_DOMAINS = Object.keys(COMPANIES);
export const EXTERNALS_BY_DOMAIN = new Map(EXTERNAL_DOMAINS.map((d) => [d, EXTERNALS.filter((c) => c.domain === d)]));

export const MEETING_TYPES = [
  { name: 'Discovery Call', status: 'active', created_at: '2023-11-10T12:00:00Z' },
  { name: 'Quarterly Business Review', status: 'active', created_at: '2023-11-10T12:00:00Z' },
  { name: 'Customer Onboarding', status: 'active', created_at: '2024-01-22T08:15:00Z' },
  { name: 'Démo produit', status: 'active', created_at: '2024-03-05T10:00:00Z' },
  { name: 'Sprint Planning', status: 'active', created_at: '2024-04-09T14:30:00Z' },
  { name: '1:1', status: 'active', created_at: '2024-04-09T14:31:00Z' },
  { name: 'Legacy Check-in', status: 'inactive', created_at: '2023-11-10T12:00:00Z' },
] as const;

export const EXTERNAL_TYPES = ['Discovery Call', 'Quarterly Business Review', 'Customer Onboarding', 'Démo produit', 'Legacy Check-in'];
export const INTERNAL_TYPES = ['Sprint Planning', '1:1', 'Legacy Check-in'];

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
