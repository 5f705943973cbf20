import crypto from 'node:crypto';
import { isoSeconds } from './data/format.js';
import { serializeMeeting } from './data/serialize.js';
import { badRequest, errorReply, type Reply } from './reply.js';
import { JSON_BODY_ERROR, isHttpUrl } from './request.js';
import type { RouteDeps } from './route-deps.js';

export const WEBHOOK_ERRORS = {
  body: JSON_BODY_ERROR,
  destinationRequired: 'destination_url is required',
  destinationInvalid: 'destination_url must be a valid URL',
  triggeredFor:
    'triggered_for must include at least one of: my_recordings, shared_external_recordings, my_shared_with_team_recordings, shared_team_recordings',
  noContent: 'At least one content type must be included',
} as const;
export const TRIGGERED_FOR = ['my_recordings', 'shared_external_recordings', 'my_shared_with_team_recordings', 'shared_team_recordings'] as const;

export interface Webhook {
  id: string;
  url: string;
  secret: string;
  created_at: string;
  include_transcript: boolean;
  include_crm_matches: boolean;
  include_summary: boolean;
  include_action_items: boolean;
  triggered_for: string[];
}

const CREATE_PARAMS = ['destination_url', 'triggered_for', 'include_transcript', 'include_summary', 'include_action_items', 'include_crm_matches'];
const CONTENT_PARAMS = ['include_transcript', 'include_crm_matches', 'include_summary', 'include_action_items'] as const;
const SECRET_PREFIX = 'whsec_';

/** POST /webhooks, DELETE /webhooks/{id}, and delivering a meeting to one the way Fathom signs it. */
export class WebhookRegistry {
  readonly #deps: RouteDeps;
  readonly #hooks = new Map<string, Webhook>();

  constructor(deps: RouteDeps) {
    this.#deps = deps;
  }

  /** Copies, so a test cannot change the registry by editing what it got. */
  list(): Webhook[] {
    return [...this.#hooks.values()].map((w) => structuredClone(w));
  }

  create(body: Buffer): Reply {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8') || 'null');
    } catch {
      return badRequest(WEBHOOK_ERRORS.body);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return badRequest(WEBHOOK_ERRORS.body);
    const b = parsed as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !CREATE_PARAMS.includes(k));
    if (unknown.length > 0) return badRequest(`Unknown parameter: ${unknown[0]}`);
    if (b.destination_url === undefined || b.destination_url === null || b.destination_url === '') return badRequest(WEBHOOK_ERRORS.destinationRequired);
    if (!isHttpUrl(b.destination_url)) return badRequest(WEBHOOK_ERRORS.destinationInvalid);
    const tf = b.triggered_for;
    if (!Array.isArray(tf) || tf.length === 0 || !tf.every((v) => typeof v === 'string' && (TRIGGERED_FOR as readonly string[]).includes(v))) {
      return badRequest(WEBHOOK_ERRORS.triggeredFor);
    }
    for (const k of CONTENT_PARAMS) {
      if (b[k] !== undefined && typeof b[k] !== 'boolean') return badRequest(`${k} must be a boolean`);
    }
    if (!CONTENT_PARAMS.some((k) => b[k] === true)) return badRequest(WEBHOOK_ERRORS.noContent);
    const ids = this.#deps.ids;
    const hook: Webhook = {
      id: ids.token(16),
      url: b.destination_url,
      secret: `${SECRET_PREFIX}${Buffer.from(Array.from({ length: 24 }, () => ids.int(0, 255))).toString('base64')}`,
      created_at: isoSeconds(Math.floor(this.#deps.clock() / 1000)),
      include_transcript: b.include_transcript === true,
      include_crm_matches: b.include_crm_matches === true,
      include_summary: b.include_summary === true,
      include_action_items: b.include_action_items === true,
      triggered_for: [...new Set(tf as string[])],
    };
    this.#hooks.set(hook.id, hook);
    return { status: 201, body: hook };
  }

  delete(id: string): Reply {
    if (!this.#hooks.delete(id)) return errorReply(404, 'Webhook not found');
    return { status: 204 };
  }

  /** See FakeFathom.deliverWebhook: a signed POST of one meeting, with the content the webhook asked for. */
  async deliver(webhookId: string, recordingId: number): Promise<{ status: number; body: string }> {
    const hook = this.#hooks.get(webhookId);
    if (!hook) throw new Error(`fake-server: no webhook ${webhookId}`);
    const sk = this.#deps.store.require(recordingId);
    const meeting = serializeMeeting(this.#deps.seed, sk, {
      transcript: hook.include_transcript,
      summary: hook.include_summary,
      actionItems: hook.include_action_items,
      highlights: false,
      crmMatches: hook.include_crm_matches,
    });
    const body = JSON.stringify(meeting);
    const id = `msg_${this.#deps.ids.token(24)}`;
    const ts = Math.floor(this.#deps.clock() / 1000);
    const key = Buffer.from(hook.secret.slice(SECRET_PREFIX.length), 'base64');
    const sig = crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Webhook-Id': id, 'Webhook-Timestamp': String(ts), 'Webhook-Signature': `v1,${sig}` },
      body,
    });
    return { status: res.status, body: await res.text() };
  }
}
