/**
 * Resources: fixed text, static files and folders (`location: file:///…`,
 * never outside the folder), and dynamic resources read through an
 * invocation. Listing expands a folder into one resource per file. MIME types
 * come from the `mime-types` database.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { createRequire } from 'node:module';
import { asRuntimeError } from '../../engine/errors.js';
import type { InvocationResult } from '../../engine/invocation.js';
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import type { McpRegistry, ResourceDescriptor, ResourceEntry } from './registry.js';
import { invalid, TEXT_DECODER, trimText } from './results.js';
import type { MethodCall, ProtocolServices, RequestContext, Result } from './types.js';

/** Fixed resources plus one entry per file of each static folder resource. */
export async function resourceList(registry: McpRegistry): Promise<readonly ResourceDescriptor[]> {
  const fixed = registry.listings.resources;
  const folders = registry.resources.filter((r) => r.path && !r.template);
  if (folders.length === 0) return fixed;
  const out: ResourceDescriptor[] = [];
  for (const descriptor of fixed) {
    const entry = folders.find((f) => f.resource.uri === descriptor.uri);
    if (!entry) {
      out.push(descriptor);
      continue;
    }
    const info = await stat(entry.path!).catch(() => undefined);
    if (!info) continue;
    if (info.isFile()) {
      out.push({ ...descriptor, mimeType: descriptor.mimeType ?? guessMime(entry.path!), size: info.size });
      continue;
    }
    if (!info.isDirectory()) continue;
    const base = entry.resource.uri.replace(/\/+$/, '');
    for (const file of await listFiles(entry.path!)) {
      out.push({
        uri: `${base}/${file.relative}`,
        name: file.relative,
        ...(descriptor.title ? { title: descriptor.title } : {}),
        ...(descriptor.description ? { description: descriptor.description } : {}),
        mimeType: entry.resource.mimeType ?? guessMime(file.relative),
        size: file.size,
      });
    }
  }
  return out;
}
export async function readResource({ registry, params, context, era, server }: MethodCall): Promise<Result> {
  const uri = params.uri;
  if (typeof uri !== 'string') throw invalid('resources/read needs a `uri`.');
  for (const entry of registry.resources) {
    const { resource } = entry;
    let variables: Record<string, string> | undefined;
    let relative = '';
    if (entry.template) {
      variables = entry.template.match(uri);
      if (!variables) continue;
      relative = entry.template.names.map((n) => variables![n]).join('/');
    } else if (resource.uri === uri) {
      variables = {};
    } else if (entry.path && uri.startsWith(`${resource.uri.replace(/\/+$/, '')}/`)) {
      variables = {};
      relative = uri.slice(resource.uri.replace(/\/+$/, '').length + 1);
    } else {
      continue;
    }
    let contents: Result | undefined;
    if (entry.compiled) contents = await readDynamic(server, entry, uri, variables, context);
    else if (resource.text !== undefined && relative === '') contents = { uri, mimeType: resource.mimeType ?? 'text/plain', text: resource.text };
    else if (entry.path) contents = await readStatic(server, entry, uri, relative);
    if (!contents) continue;
    const result: Result = { contents: [contents] };
    if (era === 'modern') {
      result.ttlMs = entry.compiled ? 0 : server.ttl;
      result.cacheScope = entry.compiled ? 'private' : 'public';
    }
    return result;
  }
  // 2025: -32002 Resource not found; 2026-07-28 replaced it with -32602.
  throw new JsonRpcError(era === 'modern' ? ErrorCodes.InvalidParams : ErrorCodes.ResourceNotFound, `Resource not found: ${uri}`, { uri });
}
async function readDynamic(server: ProtocolServices, entry: ResourceEntry, uri: string, variables: Record<string, string>, context: RequestContext): Promise<Result> {
  const redactor = server.options.redactor;
  let result: InvocationResult;
  try {
    result = await server.invoke({
      surface: 'mcp',
      adapter: entry.adapter,
      operation: entry.resource.name,
      caller: context.caller,
      requestId: context.requestId,
      trace: context.trace,
      target: entry.compiled!,
      input: { kind: 'mcp', arguments: variables },
      signal: context.signal,
    });
  } catch (thrown) {
    const failure = asRuntimeError(thrown);
    throw new JsonRpcError(ErrorCodes.InternalError, redactor.redact(`Reading ${uri} failed: ${failure.title}: ${failure.message}`));
  }
  if (result.status >= 400) {
    const body = result.raw ? trimText(TEXT_DECODER.decode(result.raw.body).trim(), 512, redactor) : '';
    throw new JsonRpcError(ErrorCodes.InternalError, redactor.redact(`Reading ${uri} failed: the upstream answered HTTP ${result.status}.${body ? ` ${body}` : ''}`));
  }
  if (result.hasValue) {
    const text = typeof result.value === 'string' ? result.value : JSON.stringify(result.value ?? null);
    return { uri, mimeType: entry.resource.mimeType ?? (typeof result.value === 'string' ? 'text/plain' : 'application/json'), text: redactor.redact(text) };
  }
  const body = result.raw?.body ?? Buffer.alloc(0);
  const mimeType = entry.resource.mimeType ?? mediaType(result.raw?.contentType) ?? 'text/plain';
  if (!isTextual(mimeType)) return { uri, mimeType, blob: body.toString('base64') };
  return { uri, mimeType, text: redactor.redact(TEXT_DECODER.decode(body)) };
}
/** A file of a `file:///` location, never outside it: no hidden, `.` or `..` segments, symlinks resolved. */
async function readStatic(server: ProtocolServices, entry: ResourceEntry, uri: string, relative: string): Promise<Result | undefined> {
  const file = await containedFile(entry.path!, relative);
  if (!file) return undefined;
  if (file.size > server.maxResourceBytes) {
    throw new JsonRpcError(ErrorCodes.InternalError, `The resource ${uri} is larger than ${server.maxResourceBytes} bytes.`);
  }
  const body = await readFile(file.path);
  const mimeType = entry.resource.mimeType ?? guessMime(file.path);
  if (!isTextual(mimeType)) return { uri, mimeType, blob: body.toString('base64') };
  return { uri, mimeType, text: server.options.redactor.redact(TEXT_DECODER.decode(body)) };
}
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

/** Media types whose bytes are text (served as `text`, not base64 `blob`). */
export function isTextual(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  if (type === undefined) return true;
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    type.endsWith('+yaml') ||
    /^application\/(json|xml|yaml|x-yaml|javascript|ecmascript|x-www-form-urlencoded|graphql|sql|toml|x-ndjson|ld\+json)$/.test(type)
  );
}

/**
 * Where the MIME database's answer is wrong for documents served to a model:
 * YAML has a registered type (RFC 9512), and `.ts` here is TypeScript source,
 * not an MPEG transport stream.
 */
const MIME_OVERRIDES: Record<string, string> = { yaml: 'application/yaml', yml: 'application/yaml', ts: 'text/plain' };

// The mime-types database (a large JSON) loads on the first guess: most runtimes
// serve no resources, and startup should not pay for it.
const requireCjs = createRequire(import.meta.url);
let lookupMime: ((path: string) => string | false) | undefined;

export function guessMime(path: string): string {
  const dot = path.lastIndexOf('.');
  const override = dot >= 0 ? MIME_OVERRIDES[path.slice(dot + 1).toLowerCase()] : undefined;
  if (override) return override;
  lookupMime ??= (requireCjs('mime-types') as typeof import('mime-types')).lookup;
  return lookupMime(path) || 'application/octet-stream';
}

function safeSegment(segment: string): boolean {
  // eslint-disable-next-line no-control-regex
  return segment !== '' && !segment.startsWith('.') && !/[\\\u0000-\u001f]/.test(segment);
}

/** The regular file `relative` names under `base` (or `base` itself when it is a file and `relative` is empty). */
async function containedFile(base: string, relative: string): Promise<{ path: string; size: number } | undefined> {
  try {
    const root = await realpath(base);
    const rootInfo = await stat(root);
    if (rootInfo.isFile()) return relative === '' ? { path: root, size: rootInfo.size } : undefined;
    if (!rootInfo.isDirectory() || relative === '') return undefined;
    const segments = relative.split('/');
    if (!segments.every(safeSegment)) return undefined;
    const target = await realpath(`${root}${sep}${segments.join(sep)}`);
    if (!target.startsWith(root + sep)) return undefined; // a symlink pointing out of the folder
    const info = await stat(target);
    return info.isFile() ? { path: target, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

const MAX_LISTED_FILES = 1000;

/** Regular files under a folder (recursive, sorted, hidden entries skipped, at most 1000). */
async function listFiles(root: string): Promise<{ relative: string; size: number }[]> {
  const out: { relative: string; size: number }[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= MAX_LISTED_FILES || !safeSegment(e.name)) continue;
      const path = `${dir}${sep}${e.name}`;
      if (e.isDirectory()) await walk(path, `${prefix}${e.name}/`);
      else if (e.isFile()) out.push({ relative: `${prefix}${e.name}`, size: (await stat(path).catch(() => undefined))?.size ?? 0 });
    }
  };
  await walk(root, '');
  return out;
}
