/** The small page the browser shows after the redirect. Every echoed value is escaped. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function callbackPage(title: string, message: string, ok: boolean): string {
  const colour = ok ? '#1a7f37' : '#cf222e';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fathom-sync: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}h1{color:${colour};font-size:1.4em}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>You can close this tab and return to the terminal.</p></body></html>
`;
}
