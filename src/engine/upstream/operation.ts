/**
 * One consumed operation, compiled at load: URL template, merged parameters,
 * auth, body encoder, response format and output mapping. `call` turns the
 * parameters of one invocation into exactly one upstream HTTP request.
 */
import type { ConsumedApi, ConsumedOperation, ConsumedParameter, ConsumedResource } from '../../capability/model.js';
import type { BindScope } from '../binds.js';
import { FormBody } from '../input.js';
import { ConfigError, InputError } from '../errors.js';
import type { Redactor } from '../redact.js';
import { Template, paramValue, pathSegmentEscape, stringifyValue, type Lookup } from '../templates.js';
import { compileAuth, type AuthApplier } from './auth.js';
import { compileBody, encodeCallerBody, type BodyEncoder, type EncodedBody } from './body.js';
import type { UpstreamClient, UpstreamResponse } from './client.js';
import { answerDigestChallenge } from './digest.js';
import { isIdempotent, type CallTraits, type UpstreamPolicies } from './policies.js';
import type { UpstreamRoutes } from './routes.js';
import type { TraceParent } from '../tracing.js';

export interface CallContext {
  client: UpstreamClient;
  routes: UpstreamRoutes;
  binds: BindScope;
  /** Environment for `in: environment` parameters (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** Learns credentials derived at call time (basic auth, environment values) so they never leak. */
  redactor?: Redactor;
  requestId?: string;
  signal?: AbortSignal;
  /** The request's span: upstream calls and token mints are its children (tracing on only). */
  trace?: TraceParent;
  /** Traffic policies of the unit making the call (the client's defaults when absent). */
  policies?: UpstreamPolicies;
  /** What the calling unit declares (`semantics` of an aggregate function). */
  semantics?: { idempotent?: boolean; cacheable?: boolean };
  /** The caller asked for a fresh answer (`Cache-Control: no-cache`). */
  bypassCache?: boolean;
}

export interface CallOutcome {
  response: UpstreamResponse;
  /** The request as sent (method + URL without query secrets), for logs. */
  method: string;
  url: string;
}

/** A path parameter whose value would move the upstream path (`.`/`..`): 400 on REST, a tool error on MCP. */
export class DotSegmentError extends InputError {
  constructor(
    readonly parameter: string,
    operation: string,
  ) {
    super(`The path parameter \`${parameter}\` for ${operation} may not be \`.\` or \`..\` (raw or percent-encoded): it would change the upstream path.`, {
      parameter,
      in: 'path',
    });
  }
}

interface CompiledParameter {
  spec: ConsumedParameter;
  /** Static value/template that wins over the incoming parameter. */
  fixed?: Template | { constant: unknown };
}

const USER_AGENT = 'capability-runtime/0.1';

export class PreparedOperation {
  readonly namespace: string;
  readonly name: string;
  readonly method: string;
  private readonly baseUri: Template;
  /** baseUri variables that are bind variables: inserted as they are (hosts, base paths); others are encoded. */
  private readonly baseUriBinds: Set<string>;
  private readonly path: Template;
  /** The query string written in the resource path (`/items?kind={kind}`), one template per value. */
  private readonly pathQuery: { name: string; value: Template }[];
  private readonly parameters: CompiledParameter[];
  private readonly auth?: AuthApplier;
  private readonly body?: BodyEncoder;
  /** Bind variables referenced by any template of this operation. */
  readonly bindVariables: string[];
  private readonly accept: string;

  constructor(
    readonly api: ConsumedApi,
    readonly resource: ConsumedResource,
    readonly operation: ConsumedOperation,
    binds: BindScope,
    private readonly redactor?: Redactor,
  ) {
    this.namespace = api.namespace;
    this.name = operation.name;
    this.method = operation.method;
    // OpenAPI-style `{name}` placeholders mean the same as `{{name}}` (dialect).
    this.baseUri = Template.compile(singleBraces(api.baseUri));
    this.baseUriBinds = new Set(this.baseUri.variables.map((v) => v.path).filter((path) => binds.variableFor(path) !== undefined || binds.isQualified(path)));
    const query = resource.path.indexOf('?');
    this.path = Template.compile(singleBraces(query < 0 ? resource.path : resource.path.slice(0, query)));
    this.pathQuery =
      query < 0
        ? []
        : resource.path
            .slice(query + 1)
            .split('&')
            .filter((pair) => pair !== '')
            .map((pair) => {
              const eq = pair.indexOf('=');
              const name = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
              return { name, value: Template.compile(singleBraces(eq < 0 ? '' : safeDecode(pair.slice(eq + 1)))) };
            });
    this.parameters = mergeParameters(api.inputParameters, resource.inputParameters, operation.inputParameters).map((spec) => ({
      spec,
      fixed:
        spec.value !== undefined
          ? typeof spec.value === 'string'
            ? Template.compile(spec.value)
            : { constant: spec.value }
          : spec.template !== undefined
            ? Template.compile(spec.template)
            : undefined,
    }));
    this.auth = compileAuth(api.authentication, (path) => binds.variableFor(path) !== undefined || binds.isQualified(path));
    this.body = operation.body ? compileBody(operation.body) : undefined;
    this.accept = acceptFor(operation.outputRawFormat);

    const variables = new Set<string>();
    const collect = (t: Template | undefined) => t?.variables.forEach((v) => variables.add(v.path));
    collect(this.baseUri);
    collect(this.path);
    for (const q of this.pathQuery) collect(q.value);
    for (const p of this.parameters) if (p.fixed instanceof Template) collect(p.fixed);
    this.auth?.variables.forEach((v) => variables.add(v));
    if (operation.body) collectBodyVariables(operation.body, variables);
    const pathNames = new Set(this.parameters.map((p) => p.spec.name));
    this.bindVariables = [...variables]
      .filter((path) => binds.variableFor(path) !== undefined || (binds.isQualified(path) && !pathNames.has(path)))
      .map((path) => binds.variableFor(path) ?? path)
      .filter((v, i, all) => all.indexOf(v) === i);
  }

  get ref(): string {
    return `${this.namespace}.${this.name}`;
  }

  /** Consumed parameters (merged), for MCP schema derivation and lint. */
  /** Variables of the resource path (`{id}`, `{{id}}`), as the URL template reads them. */
  get pathVariables(): readonly string[] {
    return this.path.variables.map((v) => v.path);
  }

  get inputParameters(): readonly ConsumedParameter[] {
    return this.parameters.map((p) => p.spec);
  }

  async call(params: Record<string, unknown>, ctx: CallContext): Promise<CallOutcome> {
    const context = { params, trace: ctx.trace };
    const bindValues = await ctx.binds.values(this.bindVariables, context);
    const outcome = await this.send(params, bindValues, ctx);
    if (outcome.response.status === 401) {
      // A provider-backed credential (e.g. an OAuth2 token) may have expired early: refresh once, retry once —
      // but only with a credential that changed (past the provider's refresh cap it hands out the same one).
      let refreshed = false;
      for (const [variable, value] of bindValues) refreshed = ctx.binds.invalidate(variable, value) || refreshed;
      if (refreshed) {
        const renewed = await ctx.binds.values(this.bindVariables, context);
        if ([...renewed].some(([variable, value]) => bindValues.get(variable) !== value)) return this.send(params, renewed, ctx);
      }
    }
    return outcome;
  }

  private async send(params: Record<string, unknown>, bindValues: Map<string, string>, ctx: CallContext): Promise<CallOutcome> {
    const values: Record<string, unknown> = { ...params };
    // Bind variables win over same-named call parameters: a caller can never replace a host or a credential.
    const lookup: Lookup = (path) => {
      const variable = ctx.binds.variableFor(path);
      if (variable !== undefined) return bindValues.get(variable);
      if (path in values) return values[path];
      if (ctx.binds.isQualified(path)) throw new ConfigError(`The template variable \`${path}\` names no declared bind variable.`);
      return paramValue(values, path);
    };
    const redactor = ctx.redactor ?? this.redactor;

    const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: this.accept };
    if (ctx.requestId) headers['x-request-id'] = ctx.requestId;
    const query = new URLSearchParams();
    const cookies: string[] = [];
    const bodyFields: Record<string, unknown> = {};
    let bodyValue: unknown;
    let hasBodyValue = false;

    for (const { spec, fixed } of this.parameters) {
      let value: unknown;
      if (fixed instanceof Template) {
        value = fixed.evaluate(lookup);
        if (value === '') value = undefined;
      } else if (fixed) value = fixed.constant;
      else value = values[spec.name];
      if (value === undefined && spec.in === 'environment') {
        value = (ctx.env ?? process.env)[spec.name];
        if (typeof value === 'string') redactor?.add(value);
      }
      if (value === undefined || value === null) {
        if (spec.required) {
          throw new InputError(`Missing required parameter \`${spec.name}\` (${spec.in}) for ${this.ref}.`, { parameter: spec.name, in: spec.in });
        }
        continue;
      }
      value = coerceValue(value, spec.type);
      values[spec.name] = value;
      switch (spec.in) {
        case 'query':
          if (Array.isArray(value)) for (const item of value) query.append(spec.name, stringifyValue(item));
          else query.append(spec.name, stringifyValue(value));
          break;
        case 'header':
          headers[spec.name.toLowerCase()] = headerValue(spec.name, value);
          break;
        case 'cookie':
          cookies.push(`${spec.name}=${encodeURIComponent(stringifyValue(value))}`);
          break;
        case 'body':
          if (spec.name === 'body') {
            bodyValue = value;
            hasBodyValue = true;
          } else bodyFields[spec.name] = value;
          break;
        default:
          break; // path values are used by the URL template; environment values only feed templates
      }
    }
    if (cookies.length > 0) headers.cookie = cookies.join('; ');

    const url = this.buildUrl(lookup, ctx);
    for (const { name, value } of this.pathQuery) {
      if (value.isStatic) url.searchParams.append(name, value.source);
      else {
        const rendered = value.evaluate(lookup);
        if (rendered === undefined || rendered === null || rendered === '') continue; // an unsupplied optional query value
        if (Array.isArray(rendered)) for (const item of rendered) url.searchParams.append(name, stringifyValue(item));
        else url.searchParams.append(name, stringifyValue(rendered));
      }
    }
    for (const [k, v] of query) url.searchParams.append(k, v);
    if (this.auth) {
      this.auth.apply(lookup, headers, url.searchParams, redactor);
      for (const [name, value] of Object.entries(headers)) headers[name] = headerValue(name, value);
    }

    const declaredType = headers['content-type'];
    let encoded: EncodedBody | undefined;
    if (this.body) encoded = this.body(lookup, declaredType);
    else if (hasBodyValue) encoded = encodeCallerBody(mergeBodyFields(bodyValue, bodyFields), declaredType);
    else if (Object.keys(bodyFields).length > 0) encoded = encodeCallerBody(bodyFields, declaredType);
    // The content type always describes the encoding actually sent (a declared
    // `application/vnd.x+json` is kept for a JSON body, never for a form).
    if (encoded?.contentType) headers['content-type'] = declaredType && sameFamily(declaredType, encoded.contentType) ? declaredType : encoded.contentType;
    else if (!encoded) delete headers['content-type'];

    const request = { method: this.method, url, headers, body: encoded?.body };
    const traits: CallTraits = {
      operation: this.ref,
      idempotent: isIdempotent(this.method, headers, ctx.semantics?.idempotent),
      cacheable: ctx.semantics?.cacheable ?? this.method === 'GET',
      bypassCache: ctx.bypassCache,
    };
    const options = { signal: ctx.signal, policies: ctx.policies, traits, trace: ctx.trace };
    let response = await ctx.client.send(request, options);
    if (response.status === 401 && this.auth?.digest) {
      const authorization = answerDigestChallenge(response.headers['www-authenticate'], this.auth.digest(lookup), this.method, url);
      if (authorization) {
        headers.authorization = authorization;
        response = await ctx.client.send({ ...request, headers }, options);
      }
    }
    return { response, method: this.method, url: `${url.origin}${url.pathname}` };
  }

  /** Refuses a path value that is, or makes, a `.`/`..` segment (see `isDotSegment`), naming the parameter. */
  private refuseDotSegments(lookup: Lookup, path: string): void {
    for (const variable of [...this.path.variables, ...this.baseUri.variables.filter((v) => !this.baseUriBinds.has(v.path))]) {
      const value = lookup(variable.path);
      if (value !== undefined && value !== null && isDotSegment(stringifyValue(value))) throw new DotSegmentError(variable.path, this.ref);
    }
    // Values side by side (`/{{a}}{{b}}`) can make a dot segment none of them is alone.
    if (path.split('/').some(isDotSegment) && !this.path.source.split('/').some(isDotSegment)) {
      throw new DotSegmentError(this.path.variables.map((v) => v.path).join('`, `'), this.ref);
    }
  }

  private buildUrl(lookup: Lookup, ctx: CallContext): URL {
    const renderedBase = this.baseUri.renderEach(lookup, (path) => (this.baseUriBinds.has(path) ? stringifyValue : pathSegmentEscape));
    let base: string;
    try {
      base = ctx.routes.rewrite(this.namespace, renderedBase.replace(/\/+$/, ''));
    } catch {
      throw new ConfigError(`The consumed API \`${this.namespace}\` has an invalid base URI.`);
    }
    for (const variable of this.path.variables) {
      const v = lookup(variable.path);
      if (v === undefined || v === null || v === '') {
        throw new InputError(`Missing path parameter \`${variable.path}\` for ${this.ref}.`, { parameter: variable.path, in: 'path' });
      }
    }
    let path = this.path.render(lookup, pathSegmentEscape);
    if (path !== '' && !path.startsWith('/')) path = `/${path}`;
    this.refuseDotSegments(lookup, path);
    try {
      return new URL(base + path);
    } catch {
      throw new ConfigError(`The consumed API \`${this.namespace}\` has an invalid base URI.`);
    }
  }
}

/**
 * A whole path segment `.` or `..` — written raw or percent-encoded, in any case
 * (`%2e%2E`, `.%2e`) — is removed or climbs one level when the URL is normalised
 * (by `new URL`, by proxies, by the upstream's router): `{id}` = `..` would turn
 * `/customers/{id}` into `/customers/`. `encodeURIComponent` leaves dots alone,
 * so such values are refused before any request is made.
 */
export function isDotSegment(value: string): boolean {
  if (value.length === 0 || value.length > 12) return false; // `%252e%252e` is the longest form worth decoding
  let text = value;
  for (let round = 0; round < 3 && /%/.test(text); round++) text = text.replace(/%25/gi, '%').replace(/%2e/gi, '.');
  return text === '.' || text === '..';
}

/** API-level, then resource-level, then operation-level parameters; a later level wins for the same name and location. */
function mergeParameters(...levels: ConsumedParameter[][]): ConsumedParameter[] {
  const merged = new Map<string, ConsumedParameter>();
  for (const level of levels) for (const p of level) merged.set(`${p.in}:${p.name}`, p);
  return [...merged.values()];
}

function acceptFor(format: string | undefined): string {
  switch ((format ?? 'json').toLowerCase()) {
    case 'xml':
      return 'application/xml, text/xml;q=0.9, */*;q=0.5';
    case 'csv':
      return 'text/csv, */*;q=0.5';
    case 'tsv':
      return 'text/tab-separated-values, */*;q=0.5';
    case 'yaml':
      return 'application/yaml, text/yaml;q=0.9, */*;q=0.5';
    case 'html':
      return 'text/html, */*;q=0.5';
    case 'markdown':
      return 'text/markdown, text/plain;q=0.9, */*;q=0.5';
    default:
      return 'application/json, */*;q=0.5';
  }
}

function collectBodyVariables(body: ConsumedOperation['body'], into: Set<string>): void {
  const visit = (v: unknown): void => {
    if (typeof v === 'string') Template.compile(v).variables.forEach((x) => into.add(x.path));
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  if (!body) return;
  if (body.kind === 'raw') visit(body.template);
  else visit(body.data);
}

/** Whether a declared Content-Type names the same encoding as the one produced (JSON, XML or text families). */
function sameFamily(declared: string, produced: string): boolean {
  const family = (type: string) => {
    const t = type.split(';')[0]!.trim().toLowerCase();
    if (t === 'application/json' || t.endsWith('+json')) return 'json';
    if (t === 'application/xml' || t === 'text/xml' || t.endsWith('+xml')) return 'xml';
    if (t.startsWith('text/')) return t === 'text/plain' ? 'text' : t;
    return t;
  };
  return family(declared) === family(produced);
}

/** `{name}` (OpenAPI style) → `{{name}}`; `{{name}}` is left alone. */
function singleBraces(text: string): string {
  return text.replace(/(?<!\{)\{([A-Za-z0-9_.-]+)\}(?!\})/g, '{{$1}}');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * A header value as text. CR, LF or NUL would split or corrupt the request, and any other control
 * character (or a character beyond Latin-1) is not a valid field value (RFC 9110 §5.5): the HTTP
 * client would refuse it after the fact, so it is refused here, naming the parameter, as bad input.
 */
function headerValue(name: string, value: unknown): string {
  const text = stringifyValue(value);
  if (/[^\t\x20-\x7e\x80-\xff]/.test(text)) {
    const control = [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    const what = /[\r\n\0]/.test(text) ? 'a line break or NUL character' : control ? 'a control character' : 'a character a header cannot carry';
    throw new InputError(`The value for header \`${name}\` contains ${what}.`, { parameter: name, in: 'header' });
  }
  return text;
}

/** Named `in: body` parameters join the caller's body: as form fields for a form, as members of an object. */
function mergeBodyFields(body: unknown, fields: Record<string, unknown>): unknown {
  if (Object.keys(fields).length === 0) return body;
  if (body instanceof FormBody) {
    const params = new URLSearchParams(body.params);
    for (const [k, v] of Object.entries(fields)) params.set(k, stringifyValue(v));
    return new FormBody(params);
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) return { ...(body as object), ...fields };
  return body;
}

/** A declared scalar `type` converts text losslessly ("3" → 3), so JSON bodies carry the right type. */
function coerceValue(value: unknown, type: ConsumedParameter['type']): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  if (type === 'number' || type === 'integer') {
    const n = Number(value);
    return Number.isFinite(n) && (type === 'number' || Number.isInteger(n)) ? n : value;
  }
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}
