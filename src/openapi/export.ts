/**
 * REST adapters → an OpenAPI 3.1 document: what a caller of the runtime sees
 * (the exposed paths, their declared inputs, JSON answers and the runtime's
 * problem documents), not the upstream's contract. Several adapters on one
 * listener merge into one document.
 */
import type { Capability, ExposedParameter, RestAdapter } from '../capability/model.js';

export interface ExportTarget {
  capability: Capability;
  adapter: RestAdapter;
}

export interface ExportOptions {
  title?: string;
  version?: string;
  /** Server URL(s) the document names (e.g. `http://127.0.0.1:8080`). */
  servers?: string[];
}

type Json = Record<string, unknown>;

const SCHEMA_KEYS = ['enum', 'default', 'items', 'properties', 'format', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength'];
const PROBLEM = {
  description: 'A problem document (RFC 9457): the runtime refused the call, or the upstream failed.',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

export function exportOpenApi(targets: readonly ExportTarget[], options: ExportOptions = {}): Json {
  const paths: Record<string, Json> = {};
  const tags: Json[] = [];
  const operationIds = new Set<string>();
  for (const { capability, adapter } of targets) {
    tags.push({ name: adapter.namespace, description: adapter.description ?? capability.description ?? capability.label ?? adapter.namespace });
    for (const resource of adapter.resources) {
      const path = openApiPath(resource.path);
      const item = (paths[path] ??= {});
      if (resource.description && !item.description) item.description = resource.description;
      for (const operation of resource.operations) {
        const params = [...adapter.inputParameters, ...resource.inputParameters, ...operation.inputParameters];
        const parameters: Json[] = [];
        const bodyFields: ExposedParameter[] = [];
        let wholeBody: ExposedParameter | undefined;
        for (const p of params) {
          if (p.value !== undefined) continue; // fixed by the file, not the caller's
          if (p.in === 'body' || p.in === undefined) {
            if (p.name === 'body') wholeBody = p;
            else if (p.in === 'body') bodyFields.push(p);
            continue;
          }
          if (p.in === 'environment') continue;
          parameters.push({
            name: p.name,
            in: p.in,
            required: p.in === 'path' ? true : p.required,
            ...(p.description ? { description: p.description } : {}),
            schema: schemaOf(p),
          });
        }
        for (const name of pathVariables(path)) {
          if (!parameters.some((p) => p.in === 'path' && p.name === name)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
        }
        let operationId = `${adapter.namespace}.${operation.name || `${operation.method.toLowerCase()}${path}`}`;
        for (let i = 2; operationIds.has(operationId); i++) operationId = `${adapter.namespace}.${operation.name}-${i}`;
        operationIds.add(operationId);
        const op: Json = {
          operationId,
          tags: [adapter.namespace],
          ...(operation.description ? { summary: firstSentence(operation.description), description: operation.description } : {}),
          ...(parameters.length ? { parameters } : {}),
        };
        if (wholeBody || bodyFields.length > 0) {
          const schema = wholeBody
            ? schemaOf(wholeBody)
            : {
                type: 'object',
                properties: Object.fromEntries(bodyFields.map((f) => [f.name, { ...schemaOf(f), ...(f.description ? { description: f.description } : {}) }])),
                ...(bodyFields.some((f) => f.required) ? { required: bodyFields.filter((f) => f.required).map((f) => f.name) } : {}),
              };
          const required = wholeBody ? wholeBody.required : bodyFields.some((f) => f.required);
          op.requestBody = {
            required,
            ...(wholeBody?.description ? { description: wholeBody.description } : {}),
            content: wholeBody ? { 'application/json': { schema } } : { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema } },
          };
        }
        op.responses = {
          '200': { description: 'The answer of the operation (the upstream status and body are relayed when no outputs are declared).', content: { 'application/json': { schema: {} } } },
          '4XX': PROBLEM,
          '5XX': PROBLEM,
        };
        if (adapter.authentication) op.security = [{ [`${adapter.namespace}-auth`]: [] }];
        item[operation.method.toLowerCase()] = op;
      }
    }
  }
  const securitySchemes: Record<string, Json> = {};
  for (const { adapter } of targets) {
    const auth = adapter.authentication;
    if (!auth) continue;
    const name = `${adapter.namespace}-auth`;
    if (auth.type === 'bearer' || auth.type === 'oauth2') securitySchemes[name] = { type: 'http', scheme: 'bearer' };
    else if (auth.type === 'basic' || auth.type === 'digest') securitySchemes[name] = { type: 'http', scheme: auth.type };
    else if (auth.type === 'apikey') securitySchemes[name] = { type: 'apiKey', name: auth.key, in: auth.placement };
  }
  const single = targets.length === 1 ? targets[0]! : undefined;
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? (single ? (single.capability.label || single.adapter.namespace) : 'capability-runtime REST API'),
      version: options.version ?? '1.0.0',
      ...(single?.capability.description ? { description: single.capability.description } : {}),
    },
    ...(options.servers?.length ? { servers: options.servers.map((url) => ({ url })) } : {}),
    tags,
    paths,
    components: {
      schemas: {
        Problem: {
          type: 'object',
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' } },
        },
      },
      ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}),
    },
  };
}

/** `{{x}}` → `{x}`; a trailing slash dropped (the router ignores it). */
function openApiPath(path: string): string {
  const p = path.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, '{$1}');
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function pathVariables(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

function schemaOf(p: ExposedParameter): Json {
  const schema: Json = { type: p.type ?? 'string' };
  for (const key of SCHEMA_KEYS) if (p.schema[key] !== undefined) schema[key] = p.schema[key];
  return schema;
}

function firstSentence(text: string): string {
  const first = text.split(/(?<=\.)\s/)[0]!.trim();
  return first.length > 120 ? `${first.slice(0, 119).trimEnd()}…` : first;
}
