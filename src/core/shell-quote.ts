/** Characters a shell word can carry without quotes. `%` is safe for sh; cron escaping is separate. */
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `value` as one sh word: as is when that is safe, else in single quotes. For commands a fix prints. */
export function shellQuote(value: string): string {
  if (value !== '' && SHELL_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
