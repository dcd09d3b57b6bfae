/**
 * Building a generation: one consistent version of everything the gateway
 * serves. Loads and validates every capability file, resolves binds, builds an
 * engine per file and plans the listeners. Nothing here touches a running
 * listener: mounting (mounting.ts) does that.
 *
 * At startup an invalid file is fatal (unless `skipInvalid`); on reload a
 * changed file that does not validate keeps its previous version, and a new
 * one is left out.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CapabilityEngine, type EngineServices } from '../engine/capability-engine.js';
import { parseDotenv, type ValueProvider } from '../engine/binds.js';
import type { Redactor } from '../engine/redact.js';
import { preloadFormats } from '../engine/formats/index.js';
import type { UpstreamClient } from '../engine/upstream/client.js';
import type { UpstreamPolicyResolver } from '../engine/upstream/policies.js';
import type { UpstreamRoutes } from '../engine/upstream/routes.js';
import { usedBindVariables } from '../capability/bind-usage.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import { findCapabilityFiles, lintLoaded, loadCapabilitySource } from '../capability/loader.js';
import type { Capability } from '../capability/model.js';
import { parseSource } from '../capability/source.js';
import type { Logger } from '../http/logger.js';
import type { RuntimeMetrics } from './metrics.js';
import { planListeners, type ListenerPlan } from './plan.js';

export class StartupError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(message);
  }
}

/** One version of one capability file. */
export interface LoadedFile {
  file: string;
  label: string;
  /** sha256 of the content (first 16 hex digits). */
  version: string;
  loadedAt: string;
  capability: Capability;
}

export interface Generation {
  id: number;
  loadedAt: string;
  files: LoadedFile[];
  /** New or changed files that did not validate and are not served in this version. */
  invalid: { file: string; previous?: string }[];
  runtimes: CapabilityEngine[];
  plans: ListenerPlan[];
  diagnostics: Diagnostic[];
}

/** The gateway options a build reads. */
export interface GenerationOptions {
  paths: string[];
  host?: string;
  restPort?: number;
  mcpPort?: number;
  controlPort?: number;
  controlHost?: string;
  envFile?: string;
  env?: Record<string, string | undefined>;
  strictBinds?: boolean;
  strictSchema?: boolean;
  skipInvalid?: boolean;
  providers?: Map<string, ValueProvider>;
  stdio?: boolean;
}

export interface GenerationServices {
  options: GenerationOptions;
  logger: Logger;
  metrics: RuntimeMetrics;
  client: UpstreamClient;
  /** Upstream policies per adapter/operation (the client's defaults when absent). */
  policies?: UpstreamPolicyResolver;
  routes: UpstreamRoutes;
  redactor: Redactor;
}

function environment(options: GenerationOptions): Record<string, string | undefined> {
  const fileEnv = options.envFile ? parseDotenv(readFileSync(options.envFile, 'utf8')) : {};
  return { ...fileEnv, ...(options.env ?? process.env) };
}

/**
 * Loads every file and builds a generation. At startup (no previous) invalid
 * files are fatal unless skipInvalid; on reload they fall back to their
 * previous version (or are left out when new).
 */
export async function buildGeneration(previous: Generation | undefined, services: GenerationServices): Promise<{ generation: Generation; errors: Diagnostic[] }> {
  const { options, logger, metrics } = services;
  const strict = options.strictSchema;
  const found = await findCapabilityFiles(options.paths);
  const diagnostics: Diagnostic[] = [...found.diagnostics];
  const fresh: LoadedFile[] = [];
  const loadedAt = new Date().toISOString();
  for (const file of found.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      diagnostics.push({ code: 'file-unreadable', severity: 'error', message: `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, file, pointer: '' });
      continue;
    }
    const version = createHash('sha256').update(text).digest('hex').slice(0, 16);
    const before = previous?.files.find((f) => f.file === file);
    const result = await loadCapabilitySource(parseSource(file, text), { strict });
    diagnostics.push(...result.diagnostics);
    if (result.capability) fresh.push({ file, label: result.capability.label, version, loadedAt: before?.version === version ? before.loadedAt : loadedAt, capability: result.capability });
  }
  diagnostics.push(...lintLoaded(fresh.map((f) => f.capability), diagnostics));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (previous === undefined && errors.length > 0 && !options.skipInvalid) {
    metrics.validation(errors.length);
    throw new StartupError(`${errors.length} error(s) in capability files`, diagnostics);
  }

  const badFiles = new Set(errors.map((d) => d.file));
  const invalid: Generation['invalid'] = [];
  const files: LoadedFile[] = [];
  for (const file of found.files) {
    const before = previous?.files.find((f) => f.file === file);
    if (badFiles.has(file)) {
      invalid.push({ file, previous: before?.version });
      if (before) files.push(before);
      continue;
    }
    const f = fresh.find((x) => x.file === file);
    if (f) files.push(f);
  }

  // Binds: resolve per file; under --strict a missing value makes that file invalid.
  const engineServices: EngineServices = {
    client: services.client,
    routes: services.routes,
    environment: { env: environment(options), providers: options.providers ?? new Map(), redactor: services.redactor },
    policies: services.policies,
  };
  const runtimes: CapabilityEngine[] = [];
  const kept: LoadedFile[] = [];
  const bindProblems: Diagnostic[] = [];
  await preloadFormats(files.flatMap((f) => f.capability.consumes.flatMap((api) => api.resources.flatMap((r) => r.operations.map((o) => o.outputRawFormat)))));
  for (const f of files) {
    const runtime = new CapabilityEngine(f.capability, engineServices);
    const problems: Diagnostic[] = [];
    const used = usedBindVariables(f.capability);
    for (const m of runtime.binds.missing) {
      // A variable nothing reads (a seed's spare credentials) needs no value: info, never fatal.
      const needed = used.has(m.variable);
      problems.push({
        code: 'bind-missing',
        severity: !needed ? 'info' : options.strictBinds ? 'error' : 'warning',
        message: `Bind variable \`${m.variable}\` has no value (${m.source === 'environment' ? `environment variable \`${m.key}\` is not set` : `key \`${m.key}\` missing in ${m.source}`}); ${needed ? 'operations that need it will answer 503.' : 'nothing in this file uses it.'}`,
        file: m.loc.file,
        pointer: m.loc.pointer,
        position: m.loc.position,
      });
    }
    for (const p of runtime.binds.problems) {
      problems.push({ code: 'bind-source', severity: options.strictBinds ? 'error' : 'warning', message: p.message, file: p.loc.file, pointer: p.loc.pointer, position: p.loc.position });
    }
    bindProblems.push(...problems);
    if (options.strictBinds && problems.some((p) => p.severity === 'error')) {
      if (previous === undefined) continue; // reported below
      const before = previous.files.find((p) => p.file === f.file);
      if (!invalid.some((i) => i.file === f.file)) invalid.push({ file: f.file, previous: before?.version });
      if (before && before !== f) {
        kept.push(before);
        runtimes.push(new CapabilityEngine(before.capability, engineServices));
      }
      continue;
    }
    kept.push(f);
    runtimes.push(runtime);
  }
  if (previous === undefined && options.strictBinds && bindProblems.some((p) => p.severity === 'error')) throw new StartupError('Bind variables without values (--strict)', bindProblems);
  // On reload, only files that are new or changed repeat their warnings.
  const unchangedFiles = new Set((previous?.files ?? []).filter((p) => kept.some((k) => k.file === p.file && k.version === p.version)).map((p) => p.file));
  for (const d of bindProblems) if (!unchangedFiles.has(d.file)) logger[d.severity === 'info' ? 'info' : 'warn']({ file: d.file, line: d.position?.line, code: d.code }, d.message);
  diagnostics.push(...bindProblems);
  const allErrors = diagnostics.filter((d) => d.severity === 'error');
  metrics.validation(allErrors.length);

  if (kept.length === 0) throw new StartupError('No capability file to serve.', diagnostics);
  const capabilities = kept.map((f) => f.capability);
  const planned = planListeners(capabilities, {
    host: options.host ?? '127.0.0.1',
    restPort: options.restPort,
    mcpPort: options.mcpPort,
    controlPort: options.controlPort,
    controlHost: options.controlHost,
    stdio: options.stdio,
  });
  if (planned.diagnostics.length > 0) throw new StartupError('Conflicting adapters', planned.diagnostics);
  const generation: Generation = {
    id: (previous?.id ?? 0) + 1,
    loadedAt,
    files: kept,
    invalid,
    runtimes,
    plans: planned.listeners,
    diagnostics,
  };
  return { generation, errors: allErrors };
}
