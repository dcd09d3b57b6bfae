/**
 * Lean's contract, from its own OpenAPI documents (../shared/lean/openapi):
 * every api-listener request is checked against the operation it names —
 * known path and method, required parameters present, parameter types,
 * request content type, body against its schema — so a capability that
 * sends what Lean's documents do not allow gets a 400 with the reason,
 * exactly where the real API would refuse it. Operations the sandbox does
 * not simulate answer with the document's own 2xx example.
 *
 * Schemas are compiled by Ajv (JSON Schema 2020-12) straight from each
 * document registered whole, so `$ref`s (recursive ones included) resolve
 * natively. OpenAPI 3.0 specifics are lifted first (`nullable`, boolean
 * `exclusiveMinimum`/`exclusiveMaximum`).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { Router, normalizePath } from './router.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** ../shared/lean/openapi beside the checkout. */
export const DEFAULT_OPENAPI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/lean/openapi');

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Record<string, unknown>;
  validate?: ValidateFunction;
  example?: unknown;
}

export interface ContractOperation {
  method: string;
  path: string;
  operationId: string;
  document: string;
  parameters: ParameterSpec[];
  body?: { required: boolean; contentTypes: string[]; validate?: ValidateFunction; schema?: Record<string, unknown>; example?: unknown };
  /** The first documented 2xx answer. */
  example: { status: number; body?: unknown };
  /** Follows a local `$ref` of the operation's document (to read nested schemas). */
  resolveRef(ref: string): unknown;
}

export interface ContractCheck {
  operation?: ContractOperation;
  ok: boolean;
  errors: string[];
}

type Json = Record<string, unknown>;

export class LeanContract {
  private readonly router: Router<ContractOperation>;

  constructor(readonly operations: ContractOperation[]) {
    this.router = new Router(operations);
  }

  static async load(dir = DEFAULT_OPENAPI_DIR): Promise<LeanContract> {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, validateSchema: false, logger: false });
    addFormats(ajv);
    const files = (await readdir(dir)).filter((f) => /\.ya?ml$|\.json$/.test(f)).sort();
    const operations: ContractOperation[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const doc = dropStrayRequired(liftOpenApi30(parse(await readFile(join(dir, file), 'utf8')) as Json));
      const id = `lean-openapi:${file}`;
      ajv.addSchema(doc, id);
      const compile = (pointer: string): ValidateFunction | undefined => {
        try {
          return ajv.getSchema(`${id}#${pointer}`) ?? undefined;
        } catch {
          return undefined; // a schema Ajv cannot compile is not checked (never a false 400)
        }
      };
      for (const [path, rawItem] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
        for (const method of METHODS) {
          const op = rawItem[method] as Json | undefined;
          if (!op) continue;
          const key = `${method.toUpperCase()} ${normalizePath(path)}`;
          if (seen.has(key)) continue; // an operation both documents describe: the first is the contract
          seen.add(key);
          const parameters = new Map<string, ParameterSpec>();
          const collect = (list: unknown, base: string) => {
            if (!Array.isArray(list)) return;
            list.forEach((raw, index) => {
              const { value, pointer } = deref(doc, raw as Json, `${base}/${index}`);
              const p = value;
              if (typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(String(p.in))) return;
              const schema = (p.schema ?? {}) as Json;
              parameters.set(`${String(p.in)}:${p.name.toLowerCase()}`, {
                name: p.name,
                in: p.in as ParameterSpec['in'],
                required: p.in === 'path' || p.required === true,
                schema: resolveSchema(doc, schema),
                validate: p.schema ? compile(`${pointer}/schema`) : undefined,
                example: p.example ?? firstExample(p.examples) ?? (resolveSchema(doc, schema).example as unknown) ?? firstArray(resolveSchema(doc, schema).examples),
              });
            });
          };
          collect(rawItem.parameters, `/paths/${escape(path)}/parameters`);
          collect(op.parameters, `/paths/${escape(path)}/${method}/parameters`);
          let body: ContractOperation['body'];
          if (op.requestBody) {
            const { value: rb, pointer } = deref(doc, op.requestBody as Json, `/paths/${escape(path)}/${method}/requestBody`);
            const content = (rb.content ?? {}) as Record<string, Json>;
            const contentTypes = Object.keys(content);
            const json = contentTypes.find((t) => /json/i.test(t));
            const media = json ? content[json]! : undefined;
            body = {
              required: rb.required === true,
              contentTypes,
              validate: media?.schema ? compile(`${pointer}/content/${escape(json!)}/schema`) : undefined,
              schema: media?.schema ? resolveSchema(doc, media.schema as Json) : undefined,
              example: media ? (media.example ?? firstExample(media.examples) ?? (resolveSchema(doc, (media.schema ?? {}) as Json).example as unknown)) : undefined,
            };
          }
          operations.push({
            method: method.toUpperCase(),
            path,
            operationId: typeof op.operationId === 'string' ? op.operationId : key,
            document: file,
            parameters: [...parameters.values()],
            ...(body ? { body } : {}),
            example: successExample(doc, op),
            resolveRef: (ref: string) => deref(doc, { $ref: ref }, '').value,
          });
        }
      }
    }
    return new LeanContract(operations);
  }

  check(method: string, path: string, query: URLSearchParams, headers: Record<string, string>, bodyText: string): ContractCheck {
    const match = this.router.match(method, path);
    if (match.kind !== 'match') {
      return { ok: false, errors: [match.kind === 'method-not-allowed' ? `${method} is not documented for ${normalizePath(path)} (documented: ${match.allow.join(', ')})` : `no operation ${method} ${normalizePath(path)} in Lean's OpenAPI documents`] };
    }
    const operation = match.route.def;
    const errors: string[] = [];
    for (const p of operation.parameters) {
      let raw: string[] = [];
      if (p.in === 'path') raw = match.params[p.name] !== undefined ? [match.params[p.name]!] : [];
      else if (p.in === 'query') raw = query.getAll(p.name);
      else if (p.in === 'header') raw = headers[p.name.toLowerCase()] !== undefined ? [headers[p.name.toLowerCase()]!] : [];
      else if (p.in === 'cookie') {
        const cookie = (headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${p.name}=`));
        raw = cookie ? [decodeURIComponent(cookie.slice(p.name.length + 1))] : [];
      }
      if (raw.length === 0 || (raw.length === 1 && raw[0] === '' && p.in !== 'query')) {
        if (p.required) errors.push(`missing required ${p.in} parameter \`${p.name}\``);
        continue;
      }
      const value = coerce(raw, p.schema);
      if (p.validate && !p.validate(value)) errors.push(`${p.in} parameter \`${p.name}\`: ${describe(p.validate.errors, '')}`);
    }
    if (operation.body) {
      const empty = bodyText.trim() === '';
      if (empty) {
        if (operation.body.required) errors.push('the request body is required');
      } else {
        const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const accepted = operation.body.contentTypes.some((t) => mediaMatches(t.toLowerCase(), type));
        if (!accepted) errors.push(`content type \`${type || 'none'}\` is not accepted (documented: ${operation.body.contentTypes.join(', ')})`);
        else if (/json/.test(type) && operation.body.validate) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(bodyText);
          } catch {
            errors.push('the body is not valid JSON');
          }
          if (parsed !== undefined && !operation.body.validate(parsed)) errors.push(`body: ${describe(operation.body.validate.errors, 'body')}`);
        }
      }
    }
    return { operation, ok: errors.length === 0, errors };
  }
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function deref(doc: Json, value: Json, pointer: string): { value: Json; pointer: string } {
  let current = value;
  let at = pointer;
  for (let i = 0; i < 10 && typeof current?.$ref === 'string' && current.$ref.startsWith('#/'); i++) {
    at = current.$ref.slice(1);
    current = at
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc) as Json;
  }
  return { value: current ?? {}, pointer: at };
}

function resolveSchema(doc: Json, schema: Json): Json {
  return deref(doc, schema, '').value;
}

function firstExample(examples: unknown): unknown {
  if (!examples || typeof examples !== 'object') return undefined;
  const first = Object.values(examples as Record<string, { value?: unknown }>)[0];
  return first?.value;
}

function firstArray(examples: unknown): unknown {
  return Array.isArray(examples) ? examples[0] : undefined;
}

function successExample(doc: Json, op: Json): ContractOperation['example'] {
  const responses = (op.responses ?? {}) as Record<string, Json>;
  const code = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort()[0];
  if (!code) return { status: 200, body: {} };
  const response = deref(doc, responses[code]!, '').value;
  const content = (response.content ?? {}) as Record<string, Json>;
  const json = Object.keys(content).find((t) => /json/i.test(t));
  if (!json) return { status: Number(code) };
  const media = content[json]!;
  const example = media.example ?? firstExample(media.examples) ?? resolveSchema(doc, (media.schema ?? {}) as Json).example;
  return { status: Number(code), body: example ?? {} };
}

function mediaMatches(documented: string, sent: string): boolean {
  if (documented === sent || documented === '*/*') return true;
  if (documented.endsWith('/*')) return sent.startsWith(documented.slice(0, -1));
  return false;
}

/** A parameter's text as the type its schema declares ("5" → 5, "true" → true; arrays from repeated or comma-separated values). */
function coerce(raw: string[], schema: Json): unknown {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  if (types.includes('array')) {
    const items = (schema.items ?? {}) as Json;
    const values = raw.length === 1 && raw[0]!.includes(',') ? raw[0]!.split(',') : raw;
    return values.map((v) => scalar(v, items));
  }
  return scalar(raw[0]!, schema);
}

function scalar(text: string, schema: Json): unknown {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  if ((types.includes('integer') || types.includes('number')) && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (types.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

function describe(errors: ErrorObject[] | null | undefined, root: string): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${root}${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`.trim())
    .join('; ');
}

/**
 * Lean's payouts document lists editor ids (ULIDs such as `01JN67XE73ARK39YCY3GGWFYQS`) among `required`
 * without any such property: no real request could carry them, and Lean does not ask for them. They are
 * authoring debris, dropped so the contract stays satisfiable.
 */
function dropStrayRequired(doc: Json): Json {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Json;
    if (Array.isArray(n.required) && n.properties && typeof n.properties === 'object') {
      n.required = (n.required as unknown[]).filter((r) => !(typeof r === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(r) && !(r in (n.properties as Json))));
    }
    Object.values(n).forEach(visit);
  };
  visit(doc);
  return doc;
}

/** OpenAPI 3.0 schema keywords → JSON Schema 2020-12 (in a copy). */
function liftOpenApi30(doc: Json): Json {
  if (!/^3\.0/.test(String(doc.openapi ?? ''))) return doc;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) out[k] = visit(v);
    if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    for (const bound of ['Minimum', 'Maximum'] as const) {
      const flag = out[`exclusive${bound}`];
      if (typeof flag === 'boolean') {
        if (flag && typeof out[bound.toLowerCase()] === 'number') {
          out[`exclusive${bound}`] = out[bound.toLowerCase()];
          delete out[bound.toLowerCase()];
        } else delete out[`exclusive${bound}`];
      }
    }
    return out;
  };
  return visit(doc) as Json;
}

export function hasLeanOpenApi(dir = DEFAULT_OPENAPI_DIR): boolean {
  return existsSync(dir);
}
