import { ExitCode } from '../core/errors.js';
import type { AppContext } from '../core/context.js';
import { doctorContextFor } from '../doctor/context.js';
import { DOCTOR_CHECKS } from '../doctor/registry.js';
import { countStatuses, runChecks } from '../doctor/run-checks.js';
import { renderJson, renderText } from '../doctor/render.js';

export interface DoctorFlags {
  db?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Exit 0 when nothing failed (warnings included), 1 otherwise. */
export async function doctorCommand(flags: DoctorFlags, app: AppContext): Promise<number> {
  const reports = await runChecks(DOCTOR_CHECKS, doctorContextFor(app));
  const { output } = app;
  if (output.jsonMode) output.json(renderJson(reports));
  else output.result(renderText(reports, { paint: (tone, text) => output.paint(tone, text), verbose: flags.verbose ?? false }));
  return countStatuses(reports).failure > 0 ? ExitCode.failure : ExitCode.ok;
}
