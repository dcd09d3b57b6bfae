/**
 * An OpenAPI 3.x document (already dereferenced) → one runnable capability:
 * a `consumes` entry with every selected operation, a REST adapter that
 * serves the same paths, and an MCP adapter with one tool per operation.
 * Everything is written in the explicit, canonical form (declared
 * `inputParameters` on both sides, `with` naming the adapter's own namespace),
 * so the file reads the same under strict and lenient lint rules.
 */
import type { OpenApiObject } from './document.js';
import { envName, identifier, kebab, MAX_TOOL_NAME, UniqueNames, type JsonTypeName } from './names.js';
import { jsonTypeOf, objectProperties, shorten, toJsonSchema, type Schema } from './schema.js';

export interface ImportOptions {
  /** Namespace of the consumes entry; adapters are `<ns>-rest` / `<ns>-mcp`, tools start with `<ns>-`. */
  namespace?: string;
  includeTags?: string[];
  excludeTags?: string[];
  /** Only these operations (operationId, or `METHOD /path`). */
  operations?: string[];
  /** Upstream base URI when `servers` has none usable (or to choose another). */
  baseUri?: string;
  restPort?: number;
  mcpPort?: number;
  /** Prefix of tool names (default: the namespace). */
  toolPrefix?: string;
  /** Bind variable prefix for credentials (default: from the namespace). */
  credentialPrefix?: string;
  /** Name of the bind variable holding a bearer token (default `<PREFIX>_TOKEN`). */
  tokenVariable?: string;
}

export interface ImportedOperation {
  operationId?: string;
  name: string;
  method: string;
  path: string;
  tool: string;
  tags: string[];
}

export interface ImportResult {
  capability: Record<string, unknown>;
  operations: ImportedOperation[];
  warnings: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;
/** Set by the engine from the body and the response format; a document's own declaration of them is noise. */
const MANAGED_HEADERS = new Set(['content-type', 'accept', 'authorization', 'content-length', 'host']);
/** Keywords an exposed parameter may carry (ExposedInputParameter / McpToolInputParameter). */
const PARAMETER_KEYWORDS = ['pattern', 'enum', 'default', 'items', 'properties', 'format', 'minimum', 'maximum', 'minLength', 'maxLength'] as const;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie' | 'body';
  required: boolean;
  type: JsonTypeName;
  description: string;
  schema: Schema;
}

interface BodyPlan {
  encoding: 'json' | 'form' | 'multipart' | 'other';
  mediaType: string;
  required: boolean;
  type: JsonTypeName;
  description: string;
  schema: Schema;
  /** Object bodies: one argument per field (form and multipart always; JSON when the schema lists properties). */
  fields?: Parameter[];
}

export function convertOpenApi(doc: OpenApiObject, options: ImportOptions = {}): ImportResult {
  const warnings: string[] = [];
  const info = (doc.info ?? {}) as Record<string, unknown>;
  const title = typeof info.title === 'string' && info.title.trim() ? info.title.trim() : 'Imported API';
  const namespace = identifier(options.namespace ?? kebab(title).slice(0, 40), 'api');
  const toolPrefix = options.toolPrefix ?? namespace;
  const restNs = `${namespace}-rest`;
  const mcpNs = `${namespace}-mcp`;
  const baseUri = chooseBaseUri(doc, options.baseUri, warnings);

  const selected = selectOperations(doc, options);
  if (selected.length === 0) throw new Error('no operation matches the selection (check --include-tag, --exclude-tag and --operation)');

  const auth = mapSecurity(doc, selected, options.credentialPrefix ?? envName(namespace), options.tokenVariable, warnings);
  const opNames = new UniqueNames();
  const toolNames = new UniqueNames(MAX_TOOL_NAME);
  const consumedResources = new Map<string, { name: string; path: string; description?: string; operations: unknown[] }>();
  const restResources = new Map<string, { path: string; name: string; description?: string; operations: unknown[] }>();
  const resourceNames = new UniqueNames();
  const tools: unknown[] = [];
  const operations: ImportedOperation[] = [];

  for (const { path, method, op, item } of selected) {
    const operationId = typeof op.operationId === 'string' && op.operationId.trim() ? op.operationId.trim() : undefined;
    const name = opNames.take(identifier(operationId ?? kebab(`${method} ${path}`), `${method}-operation`));
    const toolName = toolNames.take(`${toolPrefix}-${kebab(operationId ?? `${method} ${path}`)}`.replace(/^-+/, ''));
    const summary = describeOperation(op, method, path);
    const parameters = collectParameters(item, op, auth.headerName, warnings, `${method.toUpperCase()} ${path}`);
    const body = planBody(op, warnings, `${method.toUpperCase()} ${path}`);
    const pathVariables = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const v of pathVariables) {
      if (!parameters.some((p) => p.in === 'path' && p.name === v)) {
        parameters.push({ name: v, in: 'path', required: true, type: 'string', description: `Path segment \`${v}\`.`, schema: { type: 'string' } });
        warnings.push(`${method.toUpperCase()} ${path}: path parameter \`${v}\` is not declared; imported as a string`);
      }
    }

    // consumes
    let resource = consumedResources.get(path);
    if (!resource) {
      resource = { name: resourceNames.take(identifier(kebab(path), 'root')), path, description: pathSummary(item) ?? resourceDescription(path, summary), operations: [] };
      consumedResources.set(path, resource);
    }
    const consumedParams: Record<string, unknown>[] = parameters.map((p) => ({ name: p.name, in: p.in, type: p.type, required: p.required }));
    const consumed: Record<string, unknown> = { name, method: method.toUpperCase(), description: summary };
    if (body) {
      if (body.encoding === 'form' || body.encoding === 'multipart') {
        for (const f of body.fields ?? []) consumedParams.push({ name: f.name, in: 'body', type: f.type, required: f.required });
        consumed.body =
          body.encoding === 'form'
            ? { type: 'formUrlEncoded', data: Object.fromEntries((body.fields ?? []).map((f) => [f.name, `{{${f.name}}}`])) }
            : {
                type: 'multipartForm',
                data: (body.fields ?? []).map((f) => ({
                  name: f.name,
                  value: `{{${f.name}}}`,
                  ...(f.schema.format === 'binary' || f.schema.contentMediaType ? { filename: f.name, contentType: String(f.schema.contentMediaType ?? 'application/octet-stream') } : {}),
                })),
              };
      } else {
        consumedParams.push({ name: 'body', in: 'body', type: body.type, required: false });
        for (const f of body.fields ?? []) {
          if (!consumedParams.some((p) => p.name === f.name && p.in === 'body')) consumedParams.push({ name: f.name, in: 'body', type: f.type, required: false });
        }
        if (body.encoding === 'other') consumedParams.push({ name: 'Content-Type', in: 'header', value: body.mediaType });
      }
    }
    if (consumedParams.length > 0) consumed.inputParameters = consumedParams;
    const format = responseFormat(op);
    if (format) consumed.outputRawFormat = format;
    resource.operations.push(consumed);

    // REST
    let restResource = restResources.get(path);
    if (!restResource) {
      // A trailing slash would make the route match only requests that end with one; the upstream path keeps it.
      restResource = { path: path.length > 1 ? path.replace(/\/+$/, '') : path, name: resource.name, description: resource.description, operations: [] };
      restResources.set(path, restResource);
    }
    const restParams = parameters.map((p) => exposedParameter(p, true));
    if (body) {
      if (body.encoding === 'form' || body.encoding === 'multipart') restParams.push(...(body.fields ?? []).map((f) => exposedParameter(f, true)));
      else restParams.push(exposedParameter({ name: 'body', in: 'body', required: body.required, type: body.type, description: body.description, schema: {} }, true));
    }
    restResource.operations.push({
      method: method.toUpperCase(),
      name,
      description: summary,
      ...(restParams.length > 0 ? { inputParameters: restParams } : {}),
      call: `${namespace}.${name}`,
      with: Object.fromEntries(restParams.map((p) => [p.name, `${restNs}.${p.name as string}`])),
    });

    // MCP
    const args: Record<string, unknown>[] = [];
    const argNames = new Set<string>();
    for (const p of parameters) {
      if (argNames.has(p.name)) continue;
      argNames.add(p.name);
      args.push(exposedParameter(p, false));
    }
    if (body) {
      if (body.fields) {
        for (const f of body.fields) {
          if (argNames.has(f.name)) {
            // One argument feeds both places (a query `entity_id` and the body's): required if either needs it.
            const existing = args.find((a) => a.name === f.name)!;
            if (f.required) existing.required = true;
            continue;
          }
          argNames.add(f.name);
          args.push(exposedParameter(f, false));
        }
      } else if (!argNames.has('body')) {
        argNames.add('body');
        args.push(exposedParameter({ name: 'body', in: 'body', required: body.required, type: body.type, description: body.description, schema: body.schema }, false));
      }
    }
    const outputs = toolOutputs(op);
    tools.push({
      name: toolName,
      description: summary,
      hints: hintsFor(method),
      ...(args.length > 0 ? { inputParameters: args } : {}),
      call: `${namespace}.${name}`,
      with: Object.fromEntries(args.map((a) => [a.name, `${mcpNs}.${a.name as string}`])),
      ...(outputs ? { outputParameters: outputs } : {}),
    });
    operations.push({ ...(operationId ? { operationId } : {}), name, method: method.toUpperCase(), path, tool: toolName, tags: tagsOf(op) });
  }

  const description = shorten(typeof info.description === 'string' && info.description.trim() ? info.description : `${title}, imported from its OpenAPI document.`, 600);
  const capability: Record<string, unknown> = {
    naftiko: '1.0.0-alpha2',
    info: {
      label: title,
      description,
      ...(Array.isArray(doc.tags) && doc.tags.length > 0 ? { tags: (doc.tags as { name?: unknown }[]).map((t) => String(t.name)).filter(Boolean).slice(0, 20) } : {}),
    },
    ...(auth.binds ? { binds: [auth.binds] } : {}),
    capability: {
      consumes: [
        {
          type: 'http',
          namespace,
          baseUri,
          description: shorten(`${title} (OpenAPI ${String(doc.openapi ?? '')}).`, 200),
          ...(auth.authentication ? { authentication: auth.authentication } : {}),
          resources: [...consumedResources.values()],
        },
      ],
      exposes: [
        {
          type: 'rest',
          namespace: restNs,
          port: options.restPort ?? 8080,
          description: `REST adapter for ${title}: the upstream paths, served as they are.`,
          resources: [...restResources.values()],
        },
        {
          type: 'mcp',
          namespace: mcpNs,
          port: options.mcpPort ?? 9090,
          transport: 'http',
          description: shorten(`Tools for ${title}. ${description}`, 600),
          tools,
        },
      ],
    },
  };
  return { capability, operations, warnings };
}

interface SelectedOperation {
  path: string;
  method: (typeof METHODS)[number];
  op: Record<string, unknown>;
  item: Record<string, unknown>;
}

function selectOperations(doc: OpenApiObject, options: ImportOptions): SelectedOperation[] {
  const include = new Set((options.includeTags ?? []).map((t) => t.toLowerCase()));
  const exclude = new Set((options.excludeTags ?? []).map((t) => t.toLowerCase()));
  const wanted = new Set((options.operations ?? []).map((o) => o.trim()));
  const out: SelectedOperation[] = [];
  for (const [path, rawItem] of Object.entries((doc.paths as Record<string, unknown>) ?? {})) {
    if (!rawItem || typeof rawItem !== 'object') continue;
    const item = rawItem as Record<string, unknown>;
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== 'object') continue;
      const operation = op as Record<string, unknown>;
      const tags = tagsOf(operation).map((t) => t.toLowerCase());
      if (include.size > 0 && !tags.some((t) => include.has(t))) continue;
      if (tags.some((t) => exclude.has(t))) continue;
      if (wanted.size > 0) {
        const id = typeof operation.operationId === 'string' ? operation.operationId : '';
        if (!wanted.has(id) && !wanted.has(`${method.toUpperCase()} ${path}`)) continue;
      }
      out.push({ path, method, op: operation, item });
    }
  }
  return out;
}

function tagsOf(op: Record<string, unknown>): string[] {
  return Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [];
}

/** The production server when the document says which one it is, else the first absolute one; variables take their defaults. */
function chooseBaseUri(doc: OpenApiObject, override: string | undefined, warnings: string[]): string {
  if (override) return override.replace(/\/+$/, '');
  const servers = (Array.isArray(doc.servers) ? doc.servers : []) as { url?: string; description?: string; variables?: Record<string, { default?: string }> }[];
  const resolved = servers
    .filter((s) => typeof s.url === 'string')
    .map((s) => ({ ...s, url: s.url!.replace(/\{([^}]+)\}/g, (_m, v: string) => s.variables?.[v]?.default ?? `{${v}}`) }));
  const absolute = resolved.filter((s) => /^https?:\/\//.test(s.url) && !/\{/.test(s.url));
  const production = absolute.find((s) => /production|live/i.test(s.description ?? ''));
  const chosen = production ?? absolute[0];
  if (!chosen) {
    throw new Error(`the document names no absolute server URL${resolved.length ? ` (found ${resolved.map((s) => s.url).join(', ')})` : ''}: pass --base-uri https://…`);
  }
  if (absolute.length > 1) warnings.push(`several servers; using ${chosen.url} (switch hosts with --upstream or runtime.yaml \`upstreams\`)`);
  return chosen.url.replace(/\/+$/, '');
}

interface AuthPlan {
  authentication?: Record<string, unknown>;
  binds?: Record<string, unknown>;
  /** An apiKey header carried by `authentication`: not also a parameter. */
  headerName?: string;
}

/** The security scheme the operations require, as consumes `authentication` whose secrets come from bind variables. */
function mapSecurity(doc: OpenApiObject, selected: SelectedOperation[], prefix: string, tokenVariable: string | undefined, warnings: string[]): AuthPlan {
  const schemes = ((doc.components as Record<string, unknown> | undefined)?.securitySchemes ?? {}) as Record<string, Record<string, unknown>>;
  const used: string[] = [];
  for (const { op } of selected) {
    const requirements = (op.security ?? doc.security ?? []) as Record<string, unknown>[];
    const first = requirements.find((r) => r && Object.keys(r).length > 0);
    if (first) for (const name of Object.keys(first)) if (!used.includes(name)) used.push(name);
  }
  const defined = Object.keys(schemes);
  let name = used.find((n) => schemes[n]);
  if (!name && defined.length > 0) {
    // Real documents name a scheme they never define, or define one and forget to require it: the defined one is meant.
    name = defined[0]!;
    warnings.push(
      used.length > 0
        ? `operations require the undefined security scheme(s) ${used.join(', ')}; using the defined scheme \`${name}\``
        : `no operation requires a security scheme; using the defined scheme \`${name}\` (remove \`authentication\` if the API is public)`,
    );
  }
  if (!name) return {};
  if (used.filter((n) => schemes[n]).length > 1) warnings.push(`several security schemes (${used.join(', ')}); the capability authenticates with \`${name}\` for every operation`);
  const scheme = schemes[name]!;
  const keys: Record<string, string> = {};
  const bind = (suffix: string) => {
    const variable = `${prefix}_${suffix}`;
    keys[variable] = variable;
    return `{{${variable}}}`;
  };
  let authentication: Record<string, unknown> | undefined;
  let headerName: string | undefined;
  const type = String(scheme.type ?? '');
  const httpScheme = String(scheme.scheme ?? '').toLowerCase();
  if (type === 'http' && httpScheme === 'basic') authentication = { type: 'basic', username: bind('USERNAME'), password: bind('PASSWORD') };
  else if (type === 'http' && httpScheme === 'digest') authentication = { type: 'digest', username: bind('USERNAME'), password: bind('PASSWORD') };
  else if (type === 'apiKey') {
    const where = String(scheme.in ?? 'header');
    const keyName = String(scheme.name ?? 'X-API-Key');
    if (where === 'cookie') authentication = { type: 'apikey', key: 'Cookie', value: `${keyName}=${bind('API_KEY')}`, placement: 'header' };
    else authentication = { type: 'apikey', key: keyName, value: bind('API_KEY'), placement: where === 'query' ? 'query' : 'header' };
    if (where !== 'query') headerName = where === 'cookie' ? 'cookie' : keyName.toLowerCase();
  } else {
    // http bearer, oauth2 and openIdConnect all end as a bearer token: a static one, or one a token provider mints.
    const variable = tokenVariable ?? `${prefix}_TOKEN`;
    keys[variable] = variable;
    authentication = { type: 'bearer', token: `{{${variable}}}` };
    if (type === 'oauth2' || type === 'openIdConnect') {
      warnings.push(`security scheme \`${name}\` is ${type}: bind ${variable} to a token (e.g. \`--token-provider ${variable}=client_credentials:TOKEN_URL?…\`)`);
    }
  }
  return {
    authentication,
    headerName,
    binds: { namespace: 'env', description: `Credentials for the upstream API (security scheme \`${name}\`), read from the environment or a token provider.`, keys },
  };
}

function collectParameters(item: Record<string, unknown>, op: Record<string, unknown>, authHeader: string | undefined, warnings: string[], where: string): Parameter[] {
  const merged = new Map<string, Record<string, unknown>>();
  for (const raw of [...asArray(item.parameters), ...asArray(op.parameters)]) {
    if (!raw || typeof raw !== 'object' || typeof (raw as Record<string, unknown>).name !== 'string') continue;
    const p = raw as Record<string, unknown>;
    merged.set(`${String(p.in)}:${String(p.name)}`, p);
  }
  const out: Parameter[] = [];
  for (const p of merged.values()) {
    const name = String(p.name);
    const location = String(p.in);
    if (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie') continue;
    if (/\s/.test(name)) {
      warnings.push(`${where}: parameter \`${name}\` has a space in its name; skipped`);
      continue;
    }
    if (location === 'header' && (MANAGED_HEADERS.has(name.toLowerCase()) || name.toLowerCase() === authHeader)) continue;
    const rawSchema = p.schema ?? contentSchema(p.content);
    const schema = toJsonSchema(rawSchema);
    const description = typeof p.description === 'string' && p.description.trim() ? shorten(p.description, 300) : typeof schema.description === 'string' ? schema.description : `The ${location} parameter \`${name}\`.`;
    delete schema.description;
    out.push({ name, in: location, required: location === 'path' || p.required === true, type: jsonTypeOf(rawSchema) ?? 'string', description, schema });
  }
  return out;
}

function planBody(op: Record<string, unknown>, warnings: string[], where: string): BodyPlan | undefined {
  const requestBody = op.requestBody as Record<string, unknown> | undefined;
  if (!requestBody || typeof requestBody !== 'object') return undefined;
  const content = (requestBody.content ?? {}) as Record<string, { schema?: unknown }>;
  const types = Object.keys(content);
  if (types.length === 0) return undefined;
  const pick =
    types.find((t) => /^application\/(.+\+)?json/i.test(t)) ??
    types.find((t) => /^application\/x-www-form-urlencoded/i.test(t)) ??
    types.find((t) => /^multipart\/form-data/i.test(t)) ??
    types[0]!;
  const encoding = /json/i.test(pick) ? 'json' : /x-www-form-urlencoded/i.test(pick) ? 'form' : /multipart\/form-data/i.test(pick) ? 'multipart' : 'other';
  const rawSchema = content[pick]?.schema ?? {};
  const schema = toJsonSchema(rawSchema);
  const required = requestBody.required === true;
  const description = typeof requestBody.description === 'string' && requestBody.description.trim()
    ? shorten(requestBody.description, 300)
    : typeof schema.description === 'string' ? schema.description : `Request body (${pick}).`;
  const type = jsonTypeOf(rawSchema) ?? (encoding === 'other' ? 'string' : 'object');
  const plan: BodyPlan = { encoding, mediaType: pick, required, type, description, schema };
  const object = objectProperties(rawSchema);
  if (object && encoding !== 'other') {
    plan.fields = Object.entries(object.properties).map(([name, raw]) => {
      const fieldSchema = toJsonSchema(raw);
      const fieldDescription = typeof fieldSchema.description === 'string' ? fieldSchema.description : `Body field \`${name}\`.`;
      delete fieldSchema.description;
      return { name, in: 'body' as const, required: required && object.required.includes(name), type: jsonTypeOf(raw) ?? 'string', description: fieldDescription, schema: fieldSchema };
    }).filter((f) => !/\s/.test(f.name));
  } else if (encoding === 'form' || encoding === 'multipart') {
    warnings.push(`${where}: ${pick} body without listed fields; sent as one \`body\` value`);
  }
  return plan;
}

function contentSchema(content: unknown): unknown {
  if (!content || typeof content !== 'object') return undefined;
  const first = Object.values(content as Record<string, { schema?: unknown }>)[0];
  return first?.schema;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function exposedParameter(p: Parameter, rest: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name };
  if (rest) out.in = p.in;
  out.type = p.type;
  out.description = p.description;
  out.required = p.required;
  for (const key of PARAMETER_KEYWORDS) {
    const value = p.schema[key];
    if (value === undefined) continue;
    if ((key === 'items' || key === 'properties') && (typeof value !== 'object' || value === null || Array.isArray(value))) continue;
    if (key === 'enum' && (!Array.isArray(value) || value.length === 0)) continue;
    if ((key === 'minimum' || key === 'maximum') && typeof value !== 'number') continue;
    if ((key === 'minLength' || key === 'maxLength') && !(Number.isInteger(value) && (value as number) >= 0)) continue;
    if ((key === 'pattern' || key === 'format') && typeof value !== 'string') continue;
    out[key] = value;
  }
  return out;
}

function describeOperation(op: Record<string, unknown>, method: string, path: string): string {
  const summary = typeof op.summary === 'string' ? op.summary.trim() : '';
  const description = typeof op.description === 'string' ? op.description.trim().split(/\n\s*\n/)[0]! : '';
  const text = [summary, description && description !== summary ? description : ''].filter(Boolean).join('. ').replace(/\.\.\s/g, '. ');
  return shorten(text || `${method.toUpperCase()} ${path}`, 500);
}

function pathSummary(item: Record<string, unknown>): string | undefined {
  return typeof item.summary === 'string' && item.summary.trim() ? shorten(item.summary, 200) : undefined;
}

function resourceDescription(path: string, firstSummary: string): string {
  return shorten(`${path}: ${firstSummary}`, 200);
}

function successResponse(op: Record<string, unknown>): { mediaType: string; schema: unknown } | undefined {
  const responses = (op.responses ?? {}) as Record<string, Record<string, unknown>>;
  const code = Object.keys(responses).filter((c) => /^2(\d\d|XX)$/i.test(c)).sort()[0];
  if (!code) return undefined;
  const content = (responses[code]?.content ?? {}) as Record<string, { schema?: unknown }>;
  const mediaType = Object.keys(content).find((t) => /json/i.test(t)) ?? Object.keys(content)[0];
  if (!mediaType) return undefined;
  return { mediaType, schema: content[mediaType]?.schema };
}

function responseFormat(op: Record<string, unknown>): string | undefined {
  const success = successResponse(op);
  const type = success?.mediaType.toLowerCase() ?? 'application/json';
  if (/json/.test(type)) return 'json';
  if (/xml/.test(type)) return 'xml';
  if (/csv/.test(type)) return 'csv';
  if (/yaml/.test(type)) return 'yaml';
  if (/html/.test(type)) return 'html';
  if (/markdown/.test(type)) return 'markdown';
  return undefined;
}

/**
 * The tool's structured output, from the 2xx JSON schema when it is an object
 * with properties: each top-level property mapped as it is (nested objects and
 * arrays whole), so the MCP client gets an `outputSchema` it can rely on.
 */
function toolOutputs(op: Record<string, unknown>): unknown[] | undefined {
  const success = successResponse(op);
  if (!success || !/json/i.test(success.mediaType)) return undefined;
  const object = objectProperties(success.schema);
  if (!object) return undefined;
  const properties: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(object.properties)) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) return undefined; // not addressable as `$.name`: keep the whole body
    const type = jsonTypeOf(raw);
    const mapping = `$.${name}`;
    properties[name] = type === 'integer' ? { type: 'number', mapping } : type ? { type, mapping } : { type: 'object', mapping };
  }
  return [{ type: 'object', properties }];
}

function hintsFor(method: string): Record<string, boolean> {
  switch (method) {
    case 'get':
    case 'head':
      return { readOnly: true, destructive: false, idempotent: true, openWorld: true };
    case 'put':
      return { readOnly: false, destructive: true, idempotent: true, openWorld: true };
    case 'delete':
      return { readOnly: false, destructive: true, idempotent: true, openWorld: true };
    default:
      return { readOnly: false, destructive: false, idempotent: false, openWorld: true };
  }
}
