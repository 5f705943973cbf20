/** The text meetings are made of: titles, transcript sentences, summary parts, action items, highlights. */

export const TITLES_EXTERNAL = [
  'Discovery call with {co}',
  '{co} × Lumenfield — QBR',
  'Onboarding: {co} 🚀',
  'Renewal discussion ({co})',
  'Démo produit pour {co}',
  '{co} security review',
  'Pricing follow-up — {co}',
  'Kickoff: {co} pilot 🎯',
];
export const TITLES_INTERNAL = [
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
export const TITLES_NO_CALENDAR = ['Impromptu Zoom Meeting', 'Untitled Google Meet', 'Slack huddle', 'Quick call 📞'];
export const EXTRA_SPEAKERS = ['Conference Room B 📞', 'iPhone de Camille', 'Guest', 'Unknown Speaker', 'Salle Émeraude', 'Mallory \u001b[2J\u001b[H', '=2+3 Guest'];

/**
 * Other people's text at its worst, as a real account can hold it (a calendar invite anyone
 * could send): terminal escapes (colour, clear screen, OSC window title and clipboard writes),
 * path tricks, names Windows reserves, spreadsheet formulas, bidi overrides, overlong titles.
 * A few meetings get one of these titles; the read commands and exports must stay harmless.
 */
export const HOSTILE_TITLES = [
  '../../etc/{co} notes',
  '/tmp/evil {co}',
  'CON',
  'nul.txt',
  '=HYPERLINK("https://evil.example","{co}")',
  '+SUM(1,2) budget review',
  '@{co} -1 pricing',
  '\u001b[31mURGENT\u001b[0m {co} escalation',
  'Sync \u001b]0;pwned\u0007 and \u001b]52;c;ZXZpbA==\u0007 clipboard',
  'Quarterly \u202eweiver\u202c plan',
  'Roadmap '.repeat(40),
  '.hidden {co} call',
];

export const SENTENCES_EN = [
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
  'Paste =cmd|\' /C calc\'!A0 into the sheet, ha.',
  '\u001b[1;31mThis line tries to color your terminal\u001b[0m and fails.',
];
export const SENTENCES_DE = [
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
export const SENTENCES_OTHER = ['はい、わかりました。', 'それでは始めましょう。', 'ありがとうございます 🙏', 'Ja, genau.', 'D’accord, on fait comme ça.', 'Okay.'];

export const SUMMARY_TEMPLATES: readonly (readonly [string | null, number])[] = [
  ['General', 6],
  ['Sales Discovery', 2],
  ['Customer Success', 1],
  ['Internal Sync', 1],
  [null, 0.5],
];
export const PURPOSES = [
  'Review progress on the {co} rollout and agree on next steps.',
  'Align on Q{q} priorities and unblock the team.',
  'Walk {co} through the product and qualify the opportunity.',
  'Plan the next sprint and review open incidents.',
  'Discuss the renewal terms and the pricing proposal.',
];
export const TAKEAWAYS = [
  ['Budget', 'the Q{q} budget is approved, with a 10% buffer for contractors.'],
  ['Timeline', 'launch moves to the second week of the month.'],
  ['Risks', 'SSO integration remains the main blocker.'],
  ['Pricing', '{co} is comparing us against two other vendors.'],
  ['Adoption', 'activation is up 12% since the onboarding change.'],
  ['Support', 'tickets dropped by a third after the last release.'],
  ['Localisation', 'right-to-left and CJK text need another QA pass.'],
] as const;
export const TOPICS = ['Roadmap', 'Pricing & packaging', 'Security review', 'Onboarding', 'Hiring', 'Data residency', 'Incidents', 'Café budget ☕'];
export const BULLETS = [
  'Agreed to ship the naïve version first and iterate.',
  'Legal must sign off before the proposal goes out.',
  'Data stays in the EU region (Frankfurt) by default.',
  'The pilot covers 25 seats for 60 days.',
  'Follow up with procurement on the security questionnaire.',
  'CSV export must preserve emoji and accents (é, ü, ñ).',
  'Move the QBR to Thursday.',
  'Dashboard latency is now ~120 ms.',
];
export const ACTIONS = [
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
export const HIGHLIGHT_TYPES = ['Objection', 'Question', 'Key moment', 'Pricing', 'Feedback 💬'];
export const HIGHLIGHT_SUMMARIES = ['Pushed back on price', 'Asked about data residency', 'Agreed to a pilot', 'Concern about SSO', 'Loved the new dashboard', 'Needs legal review'];
export const HIGHLIGHT_TEXTS = [
  'They pushed back hard on the price and asked for a multi-year discount.',
  'Wanted to know whether data can stay in the EU.',
  '“If the pilot goes well we roll out to all 400 seats.”',
  'SSO with their Okta tenant has to work on day one.',
];
export const DEAL_NAMES = ['Q1 Renewal', 'Pilot — 25 seats', 'Enterprise expansion', 'Multi-year agreement'];

/** Replaces each {name} in the template by vars[name] (empty when absent). */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
