import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORWARDER_PAGE } from '../../src/auth/redirect-flow.js';

/**
 * The forwarder page as a file: what can be checked without a browser (connect-forwarder.test.ts
 * runs it in one). It ships, it allows exactly its own script, and it knows of no host but
 * 127.0.0.1.
 */
const html = fs.readFileSync(new URL('../../src/auth/oauth-forwarder.html', import.meta.url), 'utf8');
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);

describe('the forwarder page file', () => {
  it('is one self-contained page: one inline script, nothing loaded from anywhere', () => {
    expect(scripts).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img|<iframe|@import/i);
  });

  it("its Content-Security-Policy allows exactly its inline script (by hash), and no requests of the page's own", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const hash = crypto.createHash('sha256').update(scripts[0]!, 'utf8').digest('base64');
    // If this fails after an edit of the script: put the new hash in the page's CSP.
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toMatch(/^default-src 'none';/);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('hands over only to 127.0.0.1, by replacing the location', () => {
    const script = scripts[0]!;
    const urls = script.match(/[a-z]+:\/\/[^'"\s)]+/gi) ?? [];
    expect(urls).toEqual(['http://127.0.0.1/callback']);
    expect(script).not.toMatch(/fetch\(|XMLHttpRequest|sendBeacon|WebSocket|innerHTML|outerHTML|document\.write|insertAdjacentHTML/);
    expect(script).toContain('window.location.replace(target.href)');
    expect(html).toContain('<meta name="fathom-sync-port" content="38421">');
  });

  it('ships with the CLI: package.json "files" lists it, and connect points at it', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('src/auth/oauth-forwarder.html');
    expect(fs.existsSync(FORWARDER_PAGE)).toBe(true);
  });
});
