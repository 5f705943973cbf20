/**
 * Meeting data is other people's text: a title, a name or a transcript line may carry terminal
 * escape sequences (colours, cursor moves, window-title or clipboard writes via OSC 52, fake
 * hyperlinks). Printed as text it must be harmless: every control character except newline
 * and tab becomes a visible placeholder, so nothing in it can talk to the terminal. JSON output
 * needs nothing extra (JSON.stringify escapes control characters).
 */

// C0 controls except \t and \n, DEL, and the C1 controls (0x80-0x9f: CSI, OSC, ... in 8-bit form).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidirectional overrides and isolates can make a line read differently from what it contains.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

// eslint-disable-next-line no-control-regex
const ANY_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const ANY_UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** `text` with every control character shown as a placeholder (ESC as "␛", others as "�"). */
export function safeText(text: string): string {
  // Nearly all text is clean: one test, and it is returned as it is.
  if (!ANY_UNSAFE.test(text)) return text;
  return text.replace(CONTROL, (c) => (c === '\u001b' ? '␛' : c === '\r' ? '' : '\ufffd')).replace(BIDI, '');
}

/** One line: safeText, with newlines and tabs folded into spaces. */
export function safeLine(text: string): string {
  if (!ANY_UNSAFE_OR_BREAK.test(text)) return text;
  return safeText(text).replace(/[\n\t]+/g, ' ');
}
