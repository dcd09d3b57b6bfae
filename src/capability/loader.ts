/**
 * Loads capability files and folders: YAML with positions → JSON Schema →
 * consumes imports → typed model → semantic lint. Every stage reports through
 * `Diagnostic`, so `validate`, `serve` and `list` show problems the same way.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, dirname, extname } from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import type { Capability } from './model.js';
import { normalizeCapability } from './normalize.js';
import { parseSource, type SourceFile } from './source.js';
import { CapabilityFileError, checkFolderEntry, readCapabilityText } from './file-guard.js';
import { validateAgainstSchema } from './schema.js';
import { lintCapabilities } from './lint/index.js';

export interface LoadOptions {
  /** Pure alpha2: the APIs.io dialect extensions are errors. */
  strict?: boolean;
  /** Size limit of one capability file (default DEFAULT_MAX_CAPABILITY_FILE_BYTES). */
  maxFileBytes?: number;
}

export interface LoadResult {
  /** Every capability file found (after folder expansion), in load order. */
  files: string[];
  /** Capabilities that normalised (possibly with diagnostics). */
  capabilities: Capability[];
  diagnostics: Diagnostic[];
}

const CAPABILITY_EXTENSIONS = new Set(['.yaml', '.yml']);

/** Expands files and folders (recursively, skipping dot-folders and node_modules) into capability file paths. */
export async function findCapabilityFiles(paths: readonly string[]): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      diagnostics.push({ code: 'path-not-found', severity: 'error', message: `No such file or folder: ${path}`, file: path, pointer: '' });
      continue;
    }
    if (info.isDirectory()) {
      const inside = await walk(path, path, diagnostics);
      if (inside.length === 0) {
        diagnostics.push({
          code: 'folder-empty',
          severity: 'error',
          message: `The folder ${path} holds no capability file (*.yaml, *.yml).`,
          file: path,
          pointer: '',
          hint: 'Point at the folder (or files) holding the capabilities, e.g. `runtime validate capabilities/`.',
        });
      }
      files.push(...inside);
    } else if (info.isFile()) files.push(path);
    else diagnostics.push({ code: 'file-not-regular', severity: 'error', message: `${path} is not a regular file (a FIFO, socket or device).`, file: path, pointer: '' });
  }
  return { files: [...new Set(files)], diagnostics };
}

/** Capability files under `dir`; entries that may not be read (see file-guard.ts) are reported, not listed. */
async function walk(dir: string, root: string, diagnostics: Diagnostic[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full, root, diagnostics)));
    else if (CAPABILITY_EXTENSIONS.has(extname(entry.name))) {
      const refused = await checkFolderEntry(full, root).catch(() => undefined); // vanished meanwhile: the read reports it
      if (!refused) out.push(full);
      else diagnostics.push({ code: refused.code, severity: refused.code === 'file-outside-folder' ? 'error' : 'warning', message: refused.message, file: full, pointer: '' });
    }
  }
  return out;
}

export async function loadCapabilities(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const found = await findCapabilityFiles(paths);
  const diagnostics = [...found.diagnostics];
  const capabilities: Capability[] = [];
  for (const file of found.files) {
    const result = await loadCapabilityFile(file, options);
    diagnostics.push(...result.diagnostics);
    if (result.capability) capabilities.push(result.capability);
  }
  diagnostics.push(...lintLoaded(capabilities, diagnostics, options));
  return { files: found.files, capabilities, diagnostics };
}

/**
 * Semantic lint of loaded capabilities; a node the earlier stages already rejected
 * is not reported again by a lint rule. Used by `validate` and by `serve`/reload.
 */
export function lintLoaded(capabilities: readonly Capability[], earlier: readonly Diagnostic[], options: LoadOptions = {}): Diagnostic[] {
  const rejected = new Set(earlier.filter((d) => d.severity === 'error').map((d) => `${d.file}#${d.pointer}`));
  return lintCapabilities(capabilities, { strict: options.strict === true }).filter((d) => !rejected.has(`${d.file}#${d.pointer}`));
}

export async function loadCapabilityFile(
  file: string,
  options: LoadOptions = {},
): Promise<{ capability?: Capability; diagnostics: Diagnostic[] }> {
  let source: SourceFile;
  try {
    source = parseSource(file, await readCapabilityText(file, options.maxFileBytes));
  } catch (error) {
    if (error instanceof CapabilityFileError) return { diagnostics: [{ code: error.code, severity: 'error', message: error.message, file, pointer: '' }] };
    return {
      diagnostics: [{ code: 'file-unreadable', severity: 'error', message: `Cannot read ${file}: ${(error as Error).message}`, file, pointer: '' }],
    };
  }
  return loadCapabilitySource(source, options);
}

/** Loads one already-read source (used by tests and by hot reload). */
export async function loadCapabilitySource(
  source: SourceFile,
  options: LoadOptions = {},
): Promise<{ capability?: Capability; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [...source.diagnostics];
  if (source.data === undefined) return { diagnostics };
  const foreign = notACapability(source);
  if (foreign) return { diagnostics: [foreign] };
  diagnostics.push(...validateAgainstSchema(source, { strict: options.strict === true }));
  diagnostics.push(...(await resolveConsumesImports(source)));
  const normalized = normalizeCapability(source);
  diagnostics.push(...normalized.diagnostics);
  return { capability: normalized.capability, diagnostics };
}

/**
 * A YAML file that is not a Naftiko document at all (plain text, `{hello: world}`,
 * another tool's config) gets one clear error instead of every schema complaint.
 */
function notACapability(source: SourceFile): Diagnostic | undefined {
  const data = source.data;
  const isMapping = data !== null && typeof data === 'object' && !Array.isArray(data);
  const root = isMapping ? (data as Record<string, unknown>) : {};
  if (isMapping && ('naftiko' in root || 'capability' in root || Array.isArray(root.consumes))) return undefined;
  const found = !isMapping ? (typeof data === 'string' ? 'plain text' : data === null ? 'an empty document' : Array.isArray(data) ? 'a list' : `a ${typeof data}`) : `a mapping with ${Object.keys(root).length} other key(s); its content is not shown`;
  return {
    code: 'not-a-capability',
    severity: 'error',
    message: `not a Naftiko capability: no \`naftiko:\` version and no \`capability\` (found ${found})`,
    file: source.path,
    pointer: '', // no position: a code frame would quote the file, and it may hold anything
    hint: 'A capability file starts with `naftiko: 1.0.0-alpha2`, `info:` and `capability:`; move other YAML files out of the capability folders.',
  };
}

/**
 * Replaces `consumes` import stubs (`location` + `import` [+ `as`]) with the
 * named consumes entry of the target file, in place on the parsed data.
 * Locations resolve against the importing file's folder; `file://` URIs work too.
 */
async function resolveConsumesImports(source: SourceFile): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const root = source.data as Record<string, unknown> | undefined;
  const capability = root?.capability as Record<string, unknown> | undefined;
  const consumes = capability?.consumes;
  if (!Array.isArray(consumes)) return diagnostics;
  for (let i = 0; i < consumes.length; i++) {
    const stub = consumes[i] as Record<string, unknown> | undefined;
    if (!stub || typeof stub !== 'object' || stub.location === undefined) continue;
    const pointer = `/capability/consumes/${i}`;
    const fail = (message: string) =>
      diagnostics.push({ code: 'consumes-import-unresolved', severity: 'error', message, file: source.path, pointer, position: source.positionOf(pointer) });
    const location = String(stub.location);
    const wanted = String(stub.import ?? '');
    const target = resolve(dirname(source.path), location.replace(/^file:\/\/(\.\/)?/, location.startsWith('file:///') && !location.startsWith('file:///.') ? '/' : './'));
    let imported: SourceFile;
    try {
      imported = parseSource(target, await readCapabilityText(target));
    } catch (error) {
      fail(error instanceof CapabilityFileError ? `The consumes import file \`${location}\` cannot be read: ${error.message}` : `The consumes import file \`${location}\` does not exist (looked for ${target}).`);
      continue;
    }
    const list = (imported.data as Record<string, unknown> | undefined)?.consumes;
    const match = Array.isArray(list) ? list.find((c) => (c as Record<string, unknown>)?.namespace === wanted) : undefined;
    if (!match) {
      fail(`The file \`${location}\` has no consumes entry with namespace \`${wanted}\`.`);
      continue;
    }
    const copy = structuredClone(match) as Record<string, unknown>;
    if (typeof stub.as === 'string' && stub.as !== '') copy.namespace = stub.as;
    consumes[i] = copy;
  }
  return diagnostics;
}

/** Parses and loads YAML text directly (tests, inline fixtures). */
export async function loadCapabilityText(text: string, file = 'inline.yaml', options: LoadOptions = {}) {
  return loadCapabilitySource(parseSource(file, text), options);
}
