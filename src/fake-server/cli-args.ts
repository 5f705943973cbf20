/** Command-line flags of the fake server (src/fake-server/main.ts), parsed with node:util. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_NOW, type FakeFathomOptions, type FaultSpec } from './server.js';
import { MEETING_ORDERS, type MeetingOrderName } from './meeting-order.js';

export class UsageError extends Error {}

const FAULT_KINDS = ['status', 'reset', 'truncate', 'invalid-item', 'rate-limit', 'latency'] as const;

/** What --help prints: every flag parseCli accepts (keep the two in step). */
export const USAGE = `Usage: node dist/fake-server/main.js [flags]

Runs a fake Fathom API. Once listening it prints one JSON line
{"url","apiKey","meetings"[,"oauth"]} on stdout; SIGTERM/SIGINT close it (exit 0).
A bad flag: one line on stderr, exit 2.

Data:
  --meetings N                  number of meetings (default 120)
  --seed N                      same seed, same data (default 1)
  --now ISO                     the newest meeting is created shortly before this
                                (default ${new Date(DEFAULT_NOW).toISOString().replace('.000Z', 'Z')})
  --spacing-hours H             average hours between meetings (default 9)
  --segments N|MIN-MAX          transcript segments per meeting (default 5-220)
  --pending-fraction F          share of the newest meetings whose summary and transcript are
                                not ready yet, 0 to 1 (default 0.03)
  --page-size N                 meetings per /meetings page (default 10)
  --order O                     the order /meetings lists them in: newest (default: newest
                                created_at first), sources (source by source, each newest
                                recording first, a cursor like Fathom's) or shuffled
  --order-seed N                seed of --order shuffled (default: --seed)
  --outsider-share F            share of meetings recorded by customers who shared them, 0 to 1
                                (default 0): listed only when recorded_by[] names the recorder

Server:
  --port N                      port to listen on (default 0: any free port)
  --host H                      address to listen on (default 127.0.0.1)
  --latency MS                  delay added to every API answer (default 0)
  --api-key K                   accepted X-Api-Key, repeatable (default fake-api-key)
  --admin-key K                 key for which GET /users answers 200, repeatable

Rate limits (default 60 calls and 30 heavy calls per 60 s):
  --rate-window-ms MS           window length
  --global-limit N              calls per window
  --heavy-limit N               heavy calls per window
  --no-rate-limit               no limits (and no RateLimit-* headers)
  --no-rate-limit-headers       limits, but no RateLimit-* headers
  --retry-after-format F        Retry-After on 429: seconds (default) or http-date

Faults (repeatable, applied in order to the requests they match):
  --fault kind[:count[:value]][@path]
                                kind: ${FAULT_KINDS.join(', ')}
                                count: how many requests it affects (default 1)
                                value: the status for status (default 500), the Retry-After
                                for rate-limit, the ms for latency
                                @path: only requests whose path (after /external/v1) starts
                                with it; e.g. --fault status:3:503@/meetings

OAuth:
  --oauth                       serve Fathom's authorize and token endpoints too (authorize approves
                                at once); the client id and secret are in the JSON line
  --redirect-uri URI            registered redirect URI, matched exactly, repeatable, needs
                                --oauth: http(s)://127.0.0.1 or localhost, or any https page
                                (default http://127.0.0.1:38421/callback)

  -h, --help                    print this help and exit
`;

function int(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min) throw new UsageError(`--${name} "${raw}" must be a whole number >= ${min}`);
  return Number(raw);
}

function num(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || v > max) throw new UsageError(`--${name} "${raw}" must be a number from ${min} to ${max}`);
  return v;
}

export function parseFault(raw: string): FaultSpec {
  const at = raw.indexOf('@');
  const main = at >= 0 ? raw.slice(0, at) : raw;
  const path = at >= 0 ? raw.slice(at + 1) : undefined;
  const [kind, count, value, ...rest] = main.split(':');
  if (!FAULT_KINDS.includes(kind as (typeof FAULT_KINDS)[number]) || rest.length > 0) {
    throw new UsageError(`--fault "${raw}": expected kind[:count[:value]][@path], kind one of ${FAULT_KINDS.join(', ')}`);
  }
  const spec: FaultSpec = { kind: kind as FaultSpec['kind'] };
  if (count !== undefined && count !== '') spec.count = int('fault count', count, 1)!;
  if (path !== undefined) {
    if (!path.startsWith('/')) throw new UsageError(`--fault "${raw}": the path must start with /`);
    spec.path = path;
  }
  if (value !== undefined && value !== '') {
    if (spec.kind === 'status') spec.status = int('fault status', value, 100)!;
    else if (spec.kind === 'latency') spec.ms = int('fault ms', value, 0)!;
    else if (spec.kind === 'rate-limit') spec.retryAfter = value;
    else throw new UsageError(`--fault "${raw}": ${spec.kind} takes no value`);
  }
  return spec;
}

/** --oauth: serve Fathom's authorize and token endpoints too, for trying `fathom-sync connect`. */
export interface OAuthCli {
  redirectUris?: string[];
}

/** The flags parseCli accepts, for node:util parseArgs (USAGE describes each one). */
export const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  meetings: { type: 'string' },
  seed: { type: 'string' },
  'page-size': { type: 'string' },
  order: { type: 'string' },
  'order-seed': { type: 'string' },
  'outsider-share': { type: 'string' },
  segments: { type: 'string' },
  latency: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  'admin-key': { type: 'string', multiple: true },
  now: { type: 'string' },
  'spacing-hours': { type: 'string' },
  'rate-window-ms': { type: 'string' },
  'global-limit': { type: 'string' },
  'heavy-limit': { type: 'string' },
  'no-rate-limit': { type: 'boolean' },
  'no-rate-limit-headers': { type: 'boolean' },
  'retry-after-format': { type: 'string' },
  'pending-fraction': { type: 'string' },
  fault: { type: 'string', multiple: true },
  oauth: { type: 'boolean' },
  'redirect-uri': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export interface ParsedCli {
  options: FakeFathomOptions;
  faults: FaultSpec[];
  apiKey: string;
  oauth: OAuthCli | null;
  /** --help / -h: print USAGE and exit 0 (the other flags are then not checked). */
  help: boolean;
}

export function parseCli(argv: string[]): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: OPTIONS,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  const options: FakeFathomOptions = {};
  if (v.help) return { options, faults: [], apiKey: 'fake-api-key', oauth: null, help: true };
  const port = int('port', v.port, 0);
  if (port !== undefined) {
    if (port > 65535) throw new UsageError(`--port "${v.port}" must be at most 65535`);
    options.port = port;
  }
  if (v.host !== undefined) options.host = v.host;
  const meetings = int('meetings', v.meetings, 0);
  if (meetings !== undefined) options.meetingCount = meetings;
  const seed = int('seed', v.seed, 0);
  if (seed !== undefined) options.seed = seed;
  const pageSize = int('page-size', v['page-size'], 1);
  if (pageSize !== undefined) options.pageSize = pageSize;
  if (v.order !== undefined) {
    if (!(MEETING_ORDERS as readonly string[]).includes(v.order)) throw new UsageError(`--order "${v.order}" must be one of ${MEETING_ORDERS.join(', ')}`);
    options.order = v.order as MeetingOrderName;
  }
  const orderSeed = int('order-seed', v['order-seed'], 0);
  if (orderSeed !== undefined) options.orderSeed = orderSeed;
  const outsiders = num('outsider-share', v['outsider-share'], 0, 1);
  if (outsiders !== undefined) options.outsiderShare = outsiders;
  if (v.segments !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v.segments.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new UsageError(`--segments "${v.segments}" must be N or MIN-MAX`);
    options.segmentsPerMeeting = m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
  }
  const latency = int('latency', v.latency, 0);
  if (latency !== undefined) options.latencyMs = latency;
  const keys = v['api-key'];
  if (keys && keys.length > 0) options.apiKeys = keys;
  if (v['admin-key']) options.adminKeys = v['admin-key'];
  if (v.now !== undefined) {
    const t = Date.parse(v.now);
    if (Number.isNaN(t)) throw new UsageError(`--now "${v.now}" is not a date-time`);
    options.now = t;
  }
  const spacing = num('spacing-hours', v['spacing-hours'], 0, 24 * 365);
  if (spacing !== undefined) options.spacingHours = spacing;
  const pending = num('pending-fraction', v['pending-fraction'], 0, 1);
  if (pending !== undefined) options.pendingFraction = pending;
  if (v['retry-after-format'] !== undefined) {
    if (v['retry-after-format'] !== 'seconds' && v['retry-after-format'] !== 'http-date') {
      throw new UsageError(`--retry-after-format "${v['retry-after-format']}" must be seconds or http-date`);
    }
    options.retryAfterFormat = v['retry-after-format'];
  }
  if (v['no-rate-limit-headers']) options.rateLimitHeaders = false;
  const windowMs = int('rate-window-ms', v['rate-window-ms'], 1);
  const globalLimit = int('global-limit', v['global-limit'], 1);
  const heavyLimit = int('heavy-limit', v['heavy-limit'], 1);
  if (v['no-rate-limit']) {
    if (windowMs !== undefined || globalLimit !== undefined || heavyLimit !== undefined) {
      throw new UsageError('--no-rate-limit cannot be combined with --rate-window-ms, --global-limit or --heavy-limit');
    }
    options.rateLimit = false;
  } else if (windowMs !== undefined || globalLimit !== undefined || heavyLimit !== undefined) {
    const w = windowMs ?? 60_000;
    options.rateLimit = { global: { limit: globalLimit ?? 60, windowMs: w }, heavy: { limit: heavyLimit ?? 30, windowMs: w } };
  }
  const faults = (v.fault ?? []).map(parseFault);
  if (v['redirect-uri'] && !v.oauth) throw new UsageError('--redirect-uri needs --oauth');
  for (const uri of v['redirect-uri'] ?? []) {
    if (!URL.canParse(uri)) throw new UsageError(`--redirect-uri "${uri}" is not a URL`);
  }
  const oauth = v.oauth ? (v['redirect-uri'] ? { redirectUris: v['redirect-uri'] } : {}) : null;
  return { options, faults, apiKey: options.apiKeys?.[0] ?? 'fake-api-key', oauth, help: false };
}

