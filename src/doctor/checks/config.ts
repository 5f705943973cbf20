import { shellQuote } from '../../schedule/crontab-text.js';
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
    return { status: 'ok', summary: ctx.fileExists(ctx.paths.configFile) ? ctx.paths.configFile : `${ctx.paths.configFile} (not created yet)` };
  },
};
