/**
 * XML property lists, the subset launchd agents use: dict, array, string, integer, true, false.
 * Rendering and parsing are pure so the plist install-cron writes can be read back and checked
 * on machines without launchd.
 */

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const HEADER =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-fA-F]+|#\d+);/g, (_, entity: string) => {
    if (entity === 'lt') return '<';
    if (entity === 'gt') return '>';
    if (entity === 'quot') return '"';
    if (entity === 'apos') return "'";
    if (entity === 'amp') return '&';
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

function renderValue(value: PlistValue, indent: string): string {
  if (typeof value === 'string') return `${indent}<string>${escapeXml(value)}</string>\n`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`plist: only integers are supported, got ${value}`);
    return `${indent}<integer>${value}</integer>\n`;
  }
  if (typeof value === 'boolean') return `${indent}<${value}/>\n`;
  if (Array.isArray(value)) {
    return `${indent}<array>\n${value.map((v) => renderValue(v, `${indent}\t`)).join('')}${indent}</array>\n`;
  }
  const entries = Object.entries(value)
    .map(([k, v]) => `${indent}\t<key>${escapeXml(k)}</key>\n${renderValue(v, `${indent}\t`)}`)
    .join('');
  return `${indent}<dict>\n${entries}${indent}</dict>\n`;
}

export function renderPlist(root: { [key: string]: PlistValue }): string {
  return `${HEADER}<plist version="1.0">\n${renderValue(root, '')}</plist>\n`;
}

type Token = { kind: 'open' | 'close' | 'empty'; name: string } | { kind: 'text'; text: string };

function tokenize(xml: string): Token[] {
  const tokens: Token[] = [];
  const body = xml.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!DOCTYPE[\s\S]*?>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  const re = /<(\/?)([A-Za-z]+)[^>]*?(\/?)>|([^<]+)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[4] !== undefined) {
      tokens.push({ kind: 'text', text: m[4] });
    } else if (m[1]) tokens.push({ kind: 'close', name: m[2]! });
    else if (m[3]) tokens.push({ kind: 'empty', name: m[2]! });
    else tokens.push({ kind: 'open', name: m[2]! });
  }
  // Whitespace between elements carries no meaning; inside <string> it is kept.
  return tokens;
}

export class PlistParseError extends Error {}

/** Parses an XML plist; throws PlistParseError on anything outside the supported subset. */
export function parsePlist(xml: string): PlistValue {
  const tokens = tokenize(xml);
  let i = 0;
  const skipBlank = () => {
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (t.kind === 'text' && t.text.trim() === '') i += 1;
      else break;
    }
  };
  const expectClose = (name: string) => {
    skipBlank();
    const t = tokens[i];
    if (!t || t.kind !== 'close' || t.name !== name) throw new PlistParseError(`expected </${name}>`);
    i += 1;
  };
  const textUntilClose = (name: string): string => {
    let text = '';
    while (i < tokens.length && tokens[i]!.kind === 'text') {
      text += (tokens[i] as { text: string }).text;
      i += 1;
    }
    const t = tokens[i];
    if (!t || t.kind !== 'close' || t.name !== name) throw new PlistParseError(`expected </${name}>`);
    i += 1;
    return unescapeXml(text);
  };
  const value = (): PlistValue => {
    skipBlank();
    const t = tokens[i];
    if (!t) throw new PlistParseError('unexpected end of plist');
    i += 1;
    if (t.kind === 'empty') {
      if (t.name === 'true') return true;
      if (t.name === 'false') return false;
      if (t.name === 'string') return '';
      if (t.name === 'array') return [];
      if (t.name === 'dict') return {};
      throw new PlistParseError(`unsupported element <${t.name}/>`);
    }
    if (t.kind !== 'open') throw new PlistParseError('expected an element');
    switch (t.name) {
      case 'string':
        return textUntilClose('string');
      case 'integer': {
        const text = textUntilClose('integer').trim();
        if (!/^-?\d+$/.test(text)) throw new PlistParseError(`bad integer "${text}"`);
        return Number(text);
      }
      case 'true':
      case 'false':
        expectClose(t.name);
        return t.name === 'true';
      case 'array': {
        const items: PlistValue[] = [];
        for (;;) {
          skipBlank();
          const next = tokens[i];
          if (next && next.kind === 'close' && next.name === 'array') {
            i += 1;
            return items;
          }
          items.push(value());
        }
      }
      case 'dict': {
        const dict: { [key: string]: PlistValue } = {};
        for (;;) {
          skipBlank();
          const next = tokens[i];
          if (next && next.kind === 'close' && next.name === 'dict') {
            i += 1;
            return dict;
          }
          if (!next || next.kind !== 'open' || next.name !== 'key') throw new PlistParseError('expected <key> in <dict>');
          i += 1;
          const key = textUntilClose('key');
          dict[key] = value();
        }
      }
      default:
        throw new PlistParseError(`unsupported element <${t.name}>`);
    }
  };
  skipBlank();
  const root = tokens[i];
  if (!root || root.kind !== 'open' || root.name !== 'plist') throw new PlistParseError('not a plist');
  i += 1;
  const result = value();
  expectClose('plist');
  return result;
}
