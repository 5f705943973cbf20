import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/**
 * The Fathom spec as a second oracle. tests/contract/openapi.assembled.yaml is a verbatim copy
 * of ../shared/fathom-api/openapi.assembled.yaml (see SOURCE.md there); replace it when the
 * official https://developers.fathom.ai/api-reference/openapi.yaml can be downloaded.
 *
 * Its schemas are read into a small structural model (Shape) that both the spec's OpenAPI
 * dialect (3.0-style `nullable` in a 3.1 document, `$ref` with siblings) and zod's
 * `z.toJSONSchema()` output map onto, so the two can be compared field by field (compareShapes),
 * spec-valid values generated from it (validVariants), and served data checked against it
 * (specIssues).
 */

export const SPEC_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'contract', 'openapi.assembled.yaml');

export type OpenApiDoc = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
  [key: string]: unknown;
};

let cached: OpenApiDoc | undefined;

/** The parsed spec. Shared: callers that change it take a structuredClone first. */
export function loadSpec(): OpenApiDoc {
  cached ??= parse(fs.readFileSync(SPEC_PATH, 'utf8')) as OpenApiDoc;
  return cached;
}

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface Shape {
  /** The named component this node is (a `$ref`), to name paths after it. */
  ref?: string;
  /** Accepts any JSON value (`{}`, z.unknown()). */
  any: boolean;
  types: Set<JsonType>;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  bounds: { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number };
  properties: Map<string, Shape>;
  required: Set<string>;
  /** Unknown properties allowed. */
  additional: boolean;
  items?: Shape;
  /** anyOf with more than one non-null branch. */
  variants?: Shape[];
}

const BOUND_KEYS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;

function emptyShape(): Shape {
  return { any: false, types: new Set(), bounds: {}, properties: new Map(), required: new Set(), additional: true };
}

/**
 * A schema node as a Shape. `dialect: 'openapi'` honours `nullable` and resolves
 * `#/components/schemas/...` refs against `doc`; 'jsonschema' reads draft 2020-12 (zod's output).
 */
export function toShape(node: any, dialect: 'openapi' | 'jsonschema', doc?: OpenApiDoc): Shape {
  if (node === true || node === undefined || (typeof node === 'object' && Object.keys(node).length === 0)) {
    return { ...emptyShape(), any: true };
  }
  if (node.$ref) {
    const name = String(node.$ref).replace('#/components/schemas/', '');
    const target = doc?.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    const shape = { ...toShape(target, dialect, doc), ref: name };
    if (dialect === 'openapi' && node.nullable === true) shape.types = new Set([...shape.types, 'null']);
    return shape;
  }
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) {
    const branches = (alternatives as any[]).map((b) => toShape(b, dialect, doc));
    const isNull = (b: Shape) => !b.any && b.types.size === 1 && b.types.has('null');
    const real = branches.filter((b) => !isNull(b));
    const nullable = real.length < branches.length || (dialect === 'openapi' && node.nullable === true);
    if (real.length === 1) {
      const only = real[0]!;
      return nullable ? { ...only, types: new Set([...only.types, 'null']) } : only;
    }
    return { ...emptyShape(), types: new Set(nullable ? ['null'] : []), variants: real };
  }
  const shape = emptyShape();
  const declared: JsonType[] = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  if (declared.length === 0 && !node.properties && !node.items && !node.enum) return { ...shape, any: true };
  shape.types = new Set(declared.length ? declared : node.properties ? ['object'] : node.items ? ['array'] : []);
  if (dialect === 'openapi' && node.nullable === true) shape.types.add('null');
  if (node.enum) shape.enum = [...node.enum];
  if (node.const !== undefined) shape.enum = [node.const];
  if (node.format) shape.format = node.format;
  if (node.pattern) shape.pattern = node.pattern;
  for (const k of BOUND_KEYS) if (typeof node[k] === 'number') shape.bounds[k] = node[k];
  for (const [k, v] of Object.entries(node.properties ?? {})) shape.properties.set(k, toShape(v, dialect, doc));
  for (const k of node.required ?? []) shape.required.add(k);
  shape.additional = node.additionalProperties !== false;
  if (node.items) shape.items = toShape(node.items, dialect, doc);
  return shape;
}

/** A named component of the spec as a Shape. */
export function specShape(name: string): Shape {
  const doc = loadSpec();
  return toShape({ $ref: `#/components/schemas/${name}` }, 'openapi', doc);
}

/** The schema of a 200 answer of a GET operation. */
export function responseShape(pathName: string): Shape {
  const doc = loadSpec();
  const schema = doc.paths[pathName]?.get?.responses?.['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no 200 JSON response for GET ${pathName}`);
  return toShape(schema, 'openapi', doc);
}

// ---- comparing the spec with what the client accepts ------------------------------------------

/**
 * How the client's schema differs from the spec at one place. The `refuses-*` and `bounded`
 * kinds are the client refusing something the spec allows; the others are the client being
 * more tolerant than the spec.
 */
export type DiffKind =
  | 'refuses-type' // a JSON type the spec allows is refused
  | 'refuses-enum' // an enum value the spec allows is refused
  | 'refuses-absent' // a property the spec lets be absent is required
  | 'refuses-unknown' // unknown properties are refused
  | 'bounded' // a numeric bound the spec does not set
  | 'allows-null' // null accepted where the spec says non-null
  | 'optional' // a property the spec requires may be absent
  | 'enum-widened' // free text where the spec has an enum
  | 'widened-type' // another non-null type accepted (e.g. number where the spec says integer)
  | 'unparsed' // anything accepted; the client does not look inside
  | 'unmodelled' // a spec property the client passes through without a schema
  | 'not-in-spec' // a property the client models that the spec does not have
  | 'alternatives'; // the spec offers alternatives (anyOf) that were not compared

export interface Diff {
  path: string;
  kind: DiffKind;
  detail: string;
}

function acceptsType(z: Shape, t: JsonType): boolean {
  return z.any || z.types.has(t) || (t === 'integer' && z.types.has('number'));
}

/**
 * Every difference between a spec Shape and the client's Shape. Paths are named after the
 * spec's components: the site of a property (`Meeting.default_summary`) for its own type and
 * nullability, the component (`MeetingSummary.template_name`) for what is inside it.
 * `seen` collects the components visited.
 */
export function compareShapes(spec: Shape, client: Shape, site: string, seen = new Set<string>()): Diff[] {
  const out: Diff[] = [];
  const add = (path: string, kind: DiffKind, detail: string) => out.push({ path, kind, detail });
  if (spec.ref) seen.add(spec.ref);
  if (client.any) {
    if (!spec.any) add(site, 'unparsed', 'the client accepts any value here');
    return out;
  }
  if (spec.any) {
    add(site, 'refuses-type', 'the spec allows any value');
    return out;
  }
  if (spec.variants) add(site, 'alternatives', `${spec.variants.length} alternatives`);
  for (const t of spec.types) if (!acceptsType(client, t)) add(site, 'refuses-type', t);
  for (const t of client.types) {
    if (spec.types.has(t) || (t === 'integer' && spec.types.has('number'))) continue;
    if (t === 'null') add(site, 'allows-null', 'null');
    else add(site, 'widened-type', t);
  }
  if (spec.enum && !client.enum) add(site, 'enum-widened', spec.enum.join('|'));
  if (client.enum) {
    const refused = spec.enum ? spec.enum.filter((v) => !client.enum!.includes(v)) : ['any value outside the enum'];
    if (refused.length) add(site, 'refuses-enum', refused.join('|'));
  }
  for (const k of BOUND_KEYS) {
    if (client.bounds[k] !== undefined && spec.bounds[k] !== client.bounds[k]) add(site, 'bounded', `${k} ${client.bounds[k]}`);
  }
  const inner = spec.ref ?? site;
  if (spec.types.has('object') && client.types.has('object')) {
    for (const [k, sp] of spec.properties) {
      const cp = client.properties.get(k);
      if (!cp) {
        add(`${inner}.${k}`, client.additional ? 'unmodelled' : 'refuses-unknown', 'not in the client schema');
        continue;
      }
      if (spec.required.has(k) && !client.required.has(k)) add(`${inner}.${k}`, 'optional', 'may be absent');
      out.push(...compareShapes(sp, cp, `${inner}.${k}`, seen));
    }
    for (const k of client.required) if (!spec.required.has(k)) add(`${inner}.${k}`, 'refuses-absent', 'required by the client only');
    for (const k of client.properties.keys()) if (!spec.properties.has(k)) add(`${inner}.${k}`, 'not-in-spec', 'modelled by the client only');
    if (spec.additional && !client.additional) add(inner, 'refuses-unknown', 'unknown properties');
  }
  if (spec.types.has('array') && client.types.has('array') && spec.items && client.items) {
    out.push(...compareShapes(spec.items, client.items, `${inner}[]`, seen));
  }
  return out;
}

// ---- spec-valid values --------------------------------------------------------------------------

export interface Variant {
  /** Where it differs from the typical value ('' for the typical value itself). */
  where: string;
  value: unknown;
}

const SAFE = [123456789, 0, -1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

function scalarValues(s: Shape): unknown[] {
  const values: unknown[] = [];
  if (s.enum) return [...s.enum];
  if (s.types.has('string')) {
    if (s.format === 'date-time') values.push('2025-03-01T17:01:30Z', '2025-03-01T17:01:30.123456+05:30', '1969-12-31T23:59:59-00:00', '2025-03-01t17:01:30z');
    else if (s.format === 'email') values.push('alice.johnson@acme.com', "o'connor+tag@sub.acme.example");
    else if (s.format === 'uri') values.push('https://fathom.video/calls/1?timestamp=645', 'urn:isbn:0451450523');
    else if (s.pattern) values.push(...patternSamples(s.pattern));
    else values.push('Quarterly Business Review', '', 'Zoë 🎉 «مرحبا» \u0000 "quoted"');
  }
  if (s.types.has('integer')) values.push(...SAFE);
  if (s.types.has('number')) values.push(27.5, 0, -3.25, 1e300, ...(s.types.has('integer') ? [] : [16]));
  if (s.types.has('boolean')) values.push(true, false);
  return values;
}

function patternSamples(pattern: string): string[] {
  if (pattern === '^\\d{2}:\\d{2}:\\d{2}$') return ['00:05:32', '99:99:99'];
  throw new Error(`no samples for pattern ${pattern}: add them here`);
}

/** The typical value of a shape: every property present, nothing null. */
export function typicalValue(s: Shape): unknown {
  if (s.any) return { anything: ['goes', 1, null] };
  if (s.variants) return typicalValue(s.variants[0]!);
  if (s.types.has('object')) return Object.fromEntries([...s.properties].map(([k, p]) => [k, typicalValue(p)]));
  if (s.types.has('array')) return s.items ? [typicalValue(s.items)] : [];
  const scalars = scalarValues(s);
  if (scalars.length) return scalars[0];
  if (s.types.has('null')) return null;
  throw new Error('a shape with no value');
}

/**
 * Spec-valid values of a shape, each one change away from the typical value: every scalar
 * edge (zero, negative and extreme integers, empty and non-ASCII strings, every enum value,
 * date-times with offsets), null wherever nullable, each optional property absent, the
 * smallest object the spec allows, unknown properties, empty arrays, and each alternative of
 * an anyOf.
 */
export function validVariants(s: Shape, where = '$'): Variant[] {
  const out: Variant[] = [{ where: '', value: typicalValue(s) }];
  const typical = out[0]!.value;
  if (s.any) return out;
  if (s.types.has('null')) out.push({ where: `${where} = null`, value: null });
  if (s.variants) {
    s.variants.forEach((v, i) => out.push(...validVariants(v, `${where}<anyOf ${i}>`).map((x) => ({ where: x.where || `${where}<anyOf ${i}>`, value: x.value }))));
    return out;
  }
  if (s.types.has('object')) {
    const base = typical as Record<string, unknown>;
    for (const [k, p] of s.properties) {
      for (const v of validVariants(p, `${where}.${k}`).slice(1)) out.push({ where: v.where, value: { ...base, [k]: v.value } });
      if (!s.required.has(k)) {
        const { [k]: _dropped, ...rest } = base;
        out.push({ where: `${where}.${k} absent`, value: rest });
      }
    }
    const minimal = Object.fromEntries(
      [...s.properties].filter(([k]) => s.required.has(k)).map(([k, p]) => [k, p.types.has('null') ? null : typicalValue(p)]),
    );
    out.push({ where: `${where} minimal`, value: minimal });
    if (s.additional) out.push({ where: `${where} + unknown fields`, value: { ...base, brand_new_field: { nested: [1, 'two', null] }, another: -0.5 } });
  }
  if (s.types.has('array')) {
    out.push({ where: `${where} = []`, value: [] });
    if (s.items) for (const v of validVariants(s.items, `${where}[0]`).slice(1)) out.push({ where: v.where, value: [v.value] });
  }
  for (const v of scalarValues(s).slice(1)) out.push({ where: `${where} = ${JSON.stringify(v)}`, value: v });
  return out;
}

// ---- checking data against the spec ------------------------------------------------------------

/** RFC 3339 date-time (JSON Schema's `format: date-time`). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function typeOf(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as JsonType;
}

/**
 * Where a value breaks the spec: types, nullability, required properties, enums, patterns and
 * date-times (other formats are not checked). Empty when the spec allows it.
 */
export function specIssues(s: Shape, value: unknown, where = '$'): string[] {
  if (s.any) return [];
  if (s.variants) {
    if (value === null && s.types.has('null')) return [];
    const each = s.variants.map((v) => specIssues(v, value, where));
    return each.some((x) => x.length === 0) ? [] : [`${where}: matches none of the alternatives (${each.map((x) => x[0]).join('; ')})`];
  }
  const t = typeOf(value);
  if (!s.types.has(t) && !(t === 'integer' && s.types.has('number'))) return [`${where}: ${t} where the spec has ${[...s.types].join('|')}`];
  if (value === null) return [];
  const issues: string[] = [];
  if (s.enum && !s.enum.includes(value)) issues.push(`${where}: ${JSON.stringify(value)} is not one of ${s.enum.join('|')}`);
  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(value)) issues.push(`${where}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    if (s.format === 'date-time' && !RFC3339.test(value)) issues.push(`${where}: ${JSON.stringify(value)} is not a date-time`);
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of s.required) if (!(k in obj)) issues.push(`${where}.${k}: missing`);
    for (const [k, p] of s.properties) if (k in obj) issues.push(...specIssues(p, obj[k], `${where}.${k}`));
  }
  if (t === 'array' && s.items) (value as unknown[]).forEach((v, i) => issues.push(...specIssues(s.items!, v, `${where}[${i}]`)));
  return issues;
}

// ---- checking requests against the spec ---------------------------------------------------------

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function paramValueIssues(name: string, schema: any, value: string): string[] {
  const s = toShape(schema, 'openapi', loadSpec());
  const issues: string[] = [];
  if (s.types.has('boolean') && !['true', 'false'].includes(value)) issues.push(`${name}=${value}: not a boolean`);
  if (s.types.has('integer') && !/^-?\d+$/.test(value)) issues.push(`${name}=${value}: not an integer`);
  if (s.enum && !s.enum.includes(value)) issues.push(`${name}=${value}: not one of ${s.enum.join('|')}`);
  if (s.format === 'email' && !EMAIL.test(value)) issues.push(`${name}=${value}: not an email address`);
  if (s.format === 'uri' && !URL.canParse(value)) issues.push(`${name}=${value}: not a URI`);
  return issues;
}

/**
 * Where a request breaks the spec: an operation it does not have, a query parameter it does not
 * declare (Prism lets those pass), a value of the wrong type, enum or format, an array parameter
 * not sent as repeated `name[]=` keys, a path parameter that is not an integer. Prism 5.14 does
 * not look at `name[]` array parameters at all, so this is the check of those.
 */
export function requestIssues(method: string, pathname: string, query: URLSearchParams): string[] {
  const doc = loadSpec();
  for (const [template, ops] of Object.entries(doc.paths)) {
    const names: string[] = [];
    const re = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(pathname);
    const op = ops[method.toLowerCase()];
    if (!m || !op) continue;
    const params = (op.parameters ?? []) as { in: string; name: string; required?: boolean; schema: any }[];
    const issues: string[] = [];
    names.forEach((n, i) => {
      const p = params.find((x) => x.in === 'path' && x.name === n);
      if (p) issues.push(...paramValueIssues(n, p.schema, decodeURIComponent(m[i + 1]!)));
    });
    const declared = new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    for (const key of new Set(query.keys())) {
      const p = declared.get(key);
      if (!p) {
        issues.push(`query parameter ${key} is not in the spec`);
        continue;
      }
      const values = query.getAll(key);
      if (p.schema.type === 'array') for (const v of values) issues.push(...paramValueIssues(key, p.schema.items, v));
      else if (values.length > 1) issues.push(`${key} sent ${values.length} times`);
      else issues.push(...paramValueIssues(key, p.schema, values[0]!));
    }
    for (const p of params) if (p.required && p.in === 'query' && !query.has(p.name)) issues.push(`required ${p.name} missing`);
    return issues;
  }
  return [`${method} ${pathname} is not an operation of the spec`];
}
