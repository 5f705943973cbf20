import crypto from 'node:crypto';

/** HMAC bytes kept: plenty to reject an edited or invented cursor, few enough to keep URLs short. */
const SIG_BYTES = 12;

/**
 * Opaque page cursors, as Fathom's are: the position (JSON) plus a truncated HMAC, base64url.
 * Signed so a client cannot build or edit one and must treat it as opaque; keyed by the seed so
 * the same seed gives the same cursors, byte for byte.
 */
export class CursorCodec {
  readonly #key: Buffer;

  constructor(seed: number) {
    this.#key = crypto.createHash('sha256').update(`fake-fathom-cursor:${seed}`).digest();
  }

  encode(payload: object): string {
    const data = Buffer.from(JSON.stringify(payload));
    return Buffer.concat([data, this.#sign(data)]).toString('base64url');
  }

  /** The payload object, or null for anything this codec did not issue. */
  decode(raw: string): Record<string, unknown> | null {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(raw)) return null;
    const buf = Buffer.from(raw, 'base64url');
    // Only the canonical spelling: Node's decoder silently drops stray trailing characters.
    if (buf.length <= SIG_BYTES || buf.toString('base64url') !== raw.replace(/=+$/, '')) return null;
    const data = buf.subarray(0, buf.length - SIG_BYTES);
    const sig = buf.subarray(buf.length - SIG_BYTES);
    if (!crypto.timingSafeEqual(sig, this.#sign(data))) return null;
    try {
      const v = JSON.parse(data.toString('utf8')) as unknown;
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  #sign(data: Buffer): Buffer {
    return crypto.createHmac('sha256', this.#key).update(data).digest().subarray(0, SIG_BYTES);
  }
}
