/**
 * Recorders outside the organisation (`config add-recorder`): Fathom lists the calls someone
 * outside your organisation recorded and shared with you only to a query that names them in
 * recorded_by[] (the spec: without it, "calls from users external to your Org will not be
 * returned"). Every run asks for them as well.
 */

/** An email address as far as a command line can tell: something@domain, no spaces. */
export function isEmailAddress(text: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(text);
}

/** The form a recorder is kept in: trimmed, lower case (Fathom matches addresses without case). */
export function normalizeRecorder(email: string): string {
  return email.trim().toLowerCase();
}

/** The recorders a configuration names: valid addresses, normalised, each once; and the entries that are not addresses. */
export function configuredRecorders(value: unknown): { recorders: string[]; invalid: string[] } {
  const recorders: string[] = [];
  const invalid: string[] = [];
  for (const entry of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
    if (typeof entry !== 'string' || !isEmailAddress(entry.trim())) invalid.push(String(entry));
    else if (!recorders.includes(normalizeRecorder(entry))) recorders.push(normalizeRecorder(entry));
  }
  return { recorders, invalid };
}
