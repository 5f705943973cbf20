import type { DoctorCheck } from '../types.js';

export const MINIMUM_NODE_MAJOR = 20;

export function nodeMajor(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
}

export const nodeCheck: DoctorCheck = {
  id: 'node',
  title: 'Node.js',
  async run(ctx) {
    const major = nodeMajor(ctx.nodeVersion);
    if (!(major >= MINIMUM_NODE_MAJOR)) {
      return {
        status: 'failure',
        summary: `${ctx.nodeVersion} is too old; fathom-sync needs Node.js ${MINIMUM_NODE_MAJOR} or newer`,
        details: [`node: ${ctx.nodePath}`],
        fix: { text: `Install Node.js ${MINIMUM_NODE_MAJOR} or newer (https://nodejs.org), then point the schedule at it:`, commands: ['fathom-sync install-cron'] },
      };
    }
    return { status: 'ok', summary: `${ctx.nodeVersion} (${ctx.nodePath})` };
  },
};
