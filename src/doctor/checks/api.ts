import type { DoctorCheck } from '../types.js';

export const apiCheck: DoctorCheck = {
  id: 'api',
  title: 'Fathom API',
  async run(ctx, signal) {
    const facts = await ctx.credential();
    if (!facts.found) return { status: 'skipped', summary: 'no credential to try' };
    const result = await ctx.probeApi(signal);
    switch (result.outcome) {
      case 'accepted':
        return { status: 'ok', summary: `${ctx.apiUrl} accepted the credential` };
      case 'rejected':
        return {
          status: 'failure',
          summary: `Fathom rejected the credential: ${result.message}`,
          fix: { text: 'The key was revoked or mistyped, or the token expired for good. Connect again:', commands: ['fathom-sync connect'] },
        };
      case 'unreachable':
        return {
          status: 'failure',
          summary: `cannot reach ${ctx.apiUrl}: ${result.message}`,
          details: ['this is a network problem, not a credential problem'],
          fix: {
            text: 'Check the internet connection, any proxy or firewall, and FATHOM_API_URL if you set it; then check again:',
            commands: ['fathom-sync doctor'],
          },
        };
      default:
        return { status: 'failure', summary: `Fathom answered with an error: ${result.message}`, fix: { text: 'Try again later; if it persists, check https://status.fathom.video', commands: ['fathom-sync doctor'] } };
    }
  },
};
