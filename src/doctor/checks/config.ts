import { shellQuote } from '../../schedule/crontab-text.js';
import { configuredRecorders } from '../../domain/recorders.js';
import type { DoctorCheck } from '../types.js';

export const configCheck: DoctorCheck = {
  id: 'config',
  title: 'Configuration',
  async run(ctx) {
    if (ctx.configError) {
      return {
        status: 'failure',
        summary: ctx.configError,
        fix: { text: 'Move the broken file aside; connect and install-cron write a new one:', commands: [`mv ${shellQuote(ctx.paths.configFile)} ${shellQuote(`${ctx.paths.configFile}.broken`)}`, 'fathom-sync connect'] },
      };
    }
    const summary = ctx.fileExists(ctx.paths.configFile) ? ctx.paths.configFile : `${ctx.paths.configFile} (not created yet)`;
    // Recorders outside the organisation (config add-recorder): every run also asks for their calls.
    const { recorders, invalid } = configuredRecorders(ctx.config.recorders);
    const details = [
      recorders.length === 0
        ? 'recorders outside your organisation: none (fathom-sync config add-recorder EMAIL syncs the calls one shares with you)'
        : `recorders outside your organisation, whose shared calls every run also asks for: ${recorders.join(', ')}`,
    ];
    if (invalid.length > 0) {
      return {
        status: 'warning',
        summary: `${summary}: ${invalid.length === 1 ? 'a recorder that is not an email address' : `${invalid.length} recorders that are not email addresses`} (left out of every run)`,
        details: [...details, ...invalid.map((entry) => `not an email address: ${JSON.stringify(entry)}`)],
        fix: { text: 'Remove it (then add the right address):', commands: invalid.map((entry) => `fathom-sync config remove-recorder ${shellQuote(entry)}`) },
      };
    }
    return { status: 'ok', summary, details };
  },
};
