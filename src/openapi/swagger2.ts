/**
 * Swagger 2.0 → the OpenAPI 3.x shape the converter reads: `host`/`basePath`/
 * `schemes` become `servers`, `in: body` and `in: formData` parameters become a
 * `requestBody` (JSON, form or multipart after `consumes`), `definitions` and
 * `securityDefinitions` move under `components`. Only what the converter uses.
 */
import type { OpenApiObject } from './document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

export function liftSwagger2(api: OpenApiObject): OpenApiObject {
  const schemes = Array.isArray(api.schemes) && api.schemes.length > 0 ? (api.schemes as string[]) : ['https'];
  const host = typeof api.host === 'string' ? api.host : undefined;
  const basePath = typeof api.basePath === 'string' ? api.basePath : '';
  const servers = host ? [{ url: `${schemes.includes('https') ? 'https' : schemes[0]}://${host}${basePath}` }] : basePath ? [{ url: basePath }] : [];
  const docConsumes = (api.consumes as string[] | undefined) ?? ['application/json'];
  const docProduces = (api.produces as string[] | undefined) ?? ['application/json'];
  const paths: Record<string, unknown> = {};
  for (const [path, rawItem] of Object.entries((api.paths as Record<string, Record<string, unknown>>) ?? {})) {
    const item: Record<string, unknown> = {};
    const shared = (rawItem.parameters as Record<string, unknown>[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = rawItem[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const consumes = (op.consumes as string[] | undefined) ?? docConsumes;
      const produces = (op.produces as string[] | undefined) ?? docProduces;
      const all = mergeParams(shared, (op.parameters as Record<string, unknown>[] | undefined) ?? []);
      const parameters = all.filter((p) => p.in !== 'body' && p.in !== 'formData').map(liftParameter);
      const body = all.find((p) => p.in === 'body');
      const form = all.filter((p) => p.in === 'formData');
      let requestBody: Record<string, unknown> | undefined;
      if (body) {
        const type = consumes.find((c) => /json/i.test(c)) ?? consumes[0] ?? 'application/json';
        requestBody = { required: body.required === true, description: body.description, content: { [type]: { schema: body.schema ?? {} } } };
      } else if (form.length > 0) {
        const multipart = form.some((p) => p.type === 'file') || consumes.some((c) => /multipart/i.test(c));
        const properties = Object.fromEntries(form.map((p) => [p.name as string, p.type === 'file' ? { type: 'string', format: 'binary', description: p.description } : schemaOf(p)]));
        const required = form.filter((p) => p.required === true).map((p) => p.name as string);
        requestBody = {
          required: required.length > 0,
          content: { [multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded']: { schema: { type: 'object', properties, ...(required.length ? { required } : {}) } } },
        };
      }
      const responses: Record<string, unknown> = {};
      for (const [code, raw] of Object.entries((op.responses as Record<string, Record<string, unknown>>) ?? {})) {
        responses[code] = raw.schema ? { description: raw.description ?? '', content: { [produces.find((p) => /json/i.test(p)) ?? produces[0] ?? 'application/json']: { schema: raw.schema } } } : { description: raw.description ?? '' };
      }
      item[method] = { ...op, parameters, ...(requestBody ? { requestBody } : {}), responses };
    }
    paths[path] = item;
  }
  const securitySchemes: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries((api.securityDefinitions as Record<string, Record<string, unknown>>) ?? {})) {
    securitySchemes[name] = raw.type === 'basic' ? { type: 'http', scheme: 'basic' } : raw;
  }
  return {
    openapi: '3.0.3',
    info: api.info,
    servers,
    paths,
    ...(api.security ? { security: api.security } : {}),
    ...(api.tags ? { tags: api.tags } : {}),
    components: { schemas: api.definitions ?? {}, securitySchemes },
  };
}

function mergeParams(shared: Record<string, unknown>[], own: Record<string, unknown>[]): Record<string, unknown>[] {
  const map = new Map<string, Record<string, unknown>>();
  for (const p of [...shared, ...own]) map.set(`${String(p.in)}:${String(p.name)}`, p);
  return [...map.values()];
}

function schemaOf(p: Record<string, unknown>): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  for (const key of ['type', 'format', 'items', 'enum', 'default', 'minimum', 'maximum', 'pattern', 'minLength', 'maxLength', 'description']) if (p[key] !== undefined) schema[key] = p[key];
  return schema;
}

function liftParameter(p: Record<string, unknown>): Record<string, unknown> {
  return { name: p.name, in: p.in, required: p.required === true, description: p.description, schema: schemaOf(p) };
}
