import type { DoctorCheck } from '../types.js';

export const credentialCheck: DoctorCheck = {
  id: 'credential',
  title: 'Credential',
  async run(ctx) {
    const facts = await ctx.credential();
    if (facts.problem) {
      return {
        status: 'failure',
        summary: `the stored credential cannot be read: ${facts.problem}`,
        ...(facts.backend ? { details: [`recorded backend: ${facts.backend}`] } : {}),
        fix: { text: 'Unlock the keychain and try again, or connect again (optionally storing the credential in a file):', commands: ['fathom-sync connect'] },
      };
    }
    if (!facts.found) {
      return {
        status: 'failure',
        summary: 'no Fathom credential',
        fix: { text: 'Connect with an API key (or OAuth):', commands: ['fathom-sync connect'] },
      };
    }
    const what = facts.kind === 'oauth' ? 'OAuth token' : 'API key';
    return {
      status: 'ok',
      summary: `${what} in ${facts.source ?? 'an unknown place'}`,
      ...(facts.backend ? { details: [`recorded backend: ${facts.backend}`] } : {}),
    };
  },
};

/** How long before expiry a token without a refresh token is worth a warning. */
const EXPIRY_WARNING_MS = 24 * 3600 * 1000;

export const tokenExpiryCheck: DoctorCheck = {
  id: 'token-expiry',
  title: 'Token expiry',
  async run(ctx) {
    const facts = await ctx.credential();
    if (!facts.found) return { status: 'skipped', summary: 'no credential' };
    if (facts.kind !== 'oauth') return { status: 'ok', summary: 'API keys do not expire (until revoked in Fathom)' };
    if (facts.expiresAt === null || facts.expiresAt === undefined) {
      return { status: 'ok', summary: 'Fathom gave no expiry for the access token' };
    }
    const left = facts.expiresAt - ctx.clock.now();
    const when = new Date(facts.expiresAt).toISOString();
    if (facts.refreshable !== false) {
      return { status: 'ok', summary: left > 0 ? `access token valid until ${when}; renewed automatically` : `access token expired at ${when}; renewed automatically on the next call` };
    }
    if (left <= 0) {
      return { status: 'failure', summary: `access token expired at ${when} and cannot be renewed (no refresh token)`, fix: { text: 'Connect again:', commands: ['fathom-sync connect'] } };
    }
    if (left < EXPIRY_WARNING_MS) {
      return { status: 'warning', summary: `access token expires at ${when} and cannot be renewed (no refresh token)`, fix: { text: 'Connect again before then:', commands: ['fathom-sync connect'] } };
    }
    return { status: 'ok', summary: `access token valid until ${when}` };
  },
};
