import { ExitCode } from '../core/errors.js';
import { Output, colorEnabled, type Streams } from '../core/output.js';
import { systemDoctorContext } from '../doctor/context.js';
import { DOCTOR_CHECKS } from '../doctor/registry.js';
import { countStatuses, runChecks } from '../doctor/run-checks.js';
import { renderJson, renderText } from '../doctor/render.js';

export interface DoctorFlags {
  db?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Exit 0 when nothing failed (warnings included), 1 otherwise. */
export async function doctorCommand(flags: DoctorFlags, streams: Streams): Promise<number> {
  const ctx = systemDoctorContext(streams.env, flags.db ? { dbOverride: flags.db } : {});
  const reports = await runChecks(DOCTOR_CHECKS, ctx);
  const output = new Output(streams, { json: flags.json ?? false });
  if (flags.json) output.json(renderJson(reports));
  else output.result(renderText(reports, { color: colorEnabled(streams.stdout, streams.env), verbose: flags.verbose ?? false }));
  return countStatuses(reports).failure > 0 ? ExitCode.failure : ExitCode.ok;
}
