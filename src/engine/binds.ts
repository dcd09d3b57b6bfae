/**
 * Bind variables: the named values (credentials, versions, hosts) a capability
 * declares under `binds`. Values come from the process environment, an env
 * file given to the CLI, `file://` bind files, or a runtime value provider (e.g.
 * an OAuth2 token provider). Missing values do not stop the runtime: every
 * operation that needs one answers with a ConfigError naming it.
 */
import { readFileSync } from 'node:fs';
import { resolve, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { yamlModule } from '../util/yaml-module.js';
import type { BindSpec, Capability, Location } from '../capability/model.js';
import { ConfigError } from './errors.js';
import type { Redactor } from './redact.js';
import type { TraceParent } from './tracing.js';

/** Supplies a variable's value at request time (may refresh, e.g. OAuth2 tokens). */
/** What a provider may know about the call it supplies a value for (e.g. a customer id for a customer-scoped token). */
export interface ProviderContext {
  /** The consumed operation's parameters; absent where a call has none to offer (a forward, a `with` template). */
  params?: Readonly<Record<string, unknown>>;
  /** The request's span (a token mint it triggers is its child). */
  trace?: TraceParent;
}

export interface ValueProvider {
  get(variable: string, context?: ProviderContext): Promise<string>;
  /** Called when an upstream rejected a value (401): the next `get` must not return it again. */
  invalidate?(variable: string, rejected: string): void;
}

export interface BindEnvironment {
  /** Process environment overlaid on the env file (the process wins, as with dotenv). */
  env: Record<string, string | undefined>;
  /** Runtime-level providers by variable name (win over every other source). */
  providers: Map<string, ValueProvider>;
  redactor: Redactor;
}

export interface MissingBind {
  variable: string;
  key: string;
  source: string;
  /** Why no value could be read at all (unsupported scheme, unreadable file); absent when only the key is missing. */
  reason?: string;
  loc: Location;
}

interface Declared {
  variable: string;
  value?: string;
  /** Present when a value provider owns this variable. */
  provider?: ValueProvider;
  missing?: MissingBind;
}

/** The resolved bind variables of one capability. */
export class BindScope {
  private readonly byVariable = new Map<string, Declared>();
  private readonly namespaces = new Set<string>();
  readonly missing: MissingBind[] = [];
  readonly problems: { message: string; loc: Location }[] = [];

  constructor(capability: Capability, environment: BindEnvironment) {
    const authVariables = authTemplateVariables(capability);
    for (const bind of capability.binds) {
      this.namespaces.add(bind.namespace);
      const file = bind.location ? this.readBindFile(bind, capability.dir) : undefined;
      const fileValues = file?.values;
      for (const [variable, key] of Object.entries(bind.keys)) {
        const provider = environment.providers.get(variable);
        if (provider) {
          this.byVariable.set(variable, { variable, provider });
          continue;
        }
        const raw = bind.location ? fileValue(fileValues, key) : environment.env[key];
        if (raw === undefined || raw === null || raw === '') {
          const missing: MissingBind = { variable, key, source: bind.location ?? 'environment', reason: file?.reason, loc: bind.keyLocs[variable] ?? bind.loc };
          this.missing.push(missing);
          this.byVariable.set(variable, { variable, missing });
        } else {
          const value = typeof raw === 'string' ? raw : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
          if (isSecretVariable(variable, authVariables)) environment.redactor.add(value);
          this.byVariable.set(variable, { variable, value });
        }
      }
    }
  }

  /**
   * Maps a template path to the bind variable it names: `env.X` / `<bindNamespace>.X`
   * (qualified) or `X` (plain). Undefined when the path is not a bind variable.
   */
  variableFor(path: string): string | undefined {
    if (this.byVariable.has(path)) return path;
    const dot = path.indexOf('.');
    if (dot > 0) {
      const ns = path.slice(0, dot);
      const rest = path.slice(dot + 1);
      if ((ns === 'env' || this.namespaces.has(ns)) && this.byVariable.has(rest)) return rest;
    }
    return undefined;
  }

  /** Whether a template path looks like a bind reference even if undeclared (`env.X`). */
  isQualified(path: string): boolean {
    const dot = path.indexOf('.');
    return dot > 0 && (path.slice(0, dot) === 'env' || this.namespaces.has(path.slice(0, dot)));
  }

  /** Resolves the given variables; a missing one throws a ConfigError naming it (never its value). */
  async values(variables: Iterable<string>, context?: ProviderContext): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const variable of variables) {
      const declared = this.byVariable.get(variable);
      if (!declared) throw new ConfigError(`The bind variable \`${variable}\` is not declared in this capability's binds.`, { variable });
      if (declared.missing) {
        const m = declared.missing;
        if (m.reason) throw new ConfigError(`The bind variable \`${variable}\` has no value: ${m.reason}`, { variable });
        throw new ConfigError(
          `The bind variable \`${variable}\` has no value: set ${m.source === 'environment' ? `the environment variable \`${m.key}\`` : `key \`${m.key}\` in ${m.source}`}.`,
          { variable },
        );
      }
      out.set(variable, declared.provider ? await declared.provider.get(variable, context) : declared.value!);
    }
    return out;
  }

  /**
   * A variable's value when it is known without asking a provider (startup checks such as
   * rendering a templated baseUri); undefined for provider-served or missing variables.
   */
  knownValue(variable: string): string | undefined {
    const declared = this.byVariable.get(variable);
    return declared && !declared.provider ? declared.value : undefined;
  }

  /** Lets the upstream client report a rejected value (e.g. an expired token) to its provider. */
  invalidate(variable: string, rejected: string): boolean {
    const provider = this.byVariable.get(variable)?.provider;
    if (!provider?.invalidate) return false;
    provider.invalidate(variable, rejected);
    return true;
  }

  hasProvider(variable: string): boolean {
    return this.byVariable.get(variable)?.provider !== undefined;
  }

  private readBindFile(bind: BindSpec, dir: string): { values?: Record<string, unknown>; reason?: string } {
    const location = bind.location!;
    if (!location.startsWith('file:')) {
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(location)?.[1] ?? location;
      const reason = `the bind location \`${location}\` uses the \`${scheme}://\` scheme, which this runtime does not support (use a \`file://\` dotenv/JSON/YAML file, or no location for the environment).`;
      this.problems.push({ message: `Bind \`${bind.namespace}\`: ${reason}`, loc: bind.loc });
      return { reason };
    }
    const path = bindFilePath(location, dir);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = `the bind file ${location} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`;
      this.problems.push({ message: `Cannot read bind file ${location}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`, loc: bind.loc });
      return { reason };
    }
    try {
      return { values: parseBindFile(text, extname(path).toLowerCase()) };
    } catch (error) {
      const reason = `the bind file ${location} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${(error as Error).message.split('\n')[0]}).`;
      this.problems.push({ message: `Cannot parse bind file ${location}: ${(error as Error).message.split('\n')[0]}`, loc: bind.loc });
      return { reason };
    }
  }
}

/** JSON (`.json`, or any file starting with `{`), YAML (`.yaml`/`.yml`), otherwise dotenv. */
function parseBindFile(text: string, ext: string): Record<string, unknown> {
  if (ext === '.json' || (ext !== '.yaml' && ext !== '.yml' && text.trimStart().startsWith('{'))) return JSON.parse(text) as Record<string, unknown>;
  if (ext === '.yaml' || ext === '.yml') return (yamlModule().parse(text) ?? {}) as Record<string, unknown>;
  return parseDotenv(text);
}

/** A key of a bind file: top-level first (as the reference), then a dotted path into nested maps. */
function fileValue(values: Record<string, unknown> | undefined, key: string): unknown {
  if (!values || typeof values !== 'object') return undefined;
  if (Object.prototype.hasOwnProperty.call(values, key)) return values[key];
  if (!key.includes('.')) return undefined;
  let node: unknown = values;
  for (const segment of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** `file:///abs`, `file://./rel` and `file:///./rel` — relative ones resolve against the capability's folder. */
export function bindFilePath(location: string, dir: string): string {
  const rest = location.replace(/^file:\/\//, '');
  if (rest.startsWith('/./')) return resolve(dir, rest.slice(1));
  if (rest.startsWith('./') || rest.startsWith('../')) return resolve(dir, rest);
  if (rest.startsWith('/')) return fileURLToPath(`file://${rest}`);
  return resolve(dir, rest);
}

/**
 * dotenv format, read by Node's own parser (`util.parseEnv`, the one behind `node --env-file`):
 * `KEY=VALUE` lines, `#` comments, optional `export`, single, double and backtick quotes,
 * quoted values spanning lines, `\n` in double quotes. The previous hand-written parser cut
 * multi-line quoted values at the first line and kept backticks in the value.
 */
export function parseDotenv(text: string): Record<string, string> {
  // fromEntries defines own properties: a `__proto__=` line is a key, not a prototype.
  return Object.fromEntries(
    Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * Which bind values are secrets (redacted from logs, errors and responses):
 * every value used by an authentication template, and every variable whose name
 * says it is one. Identifiers such as `LEAN_CLIENT_ID` stay visible, so upstream
 * answers that echo them (`app_id`) are not mangled.
 */
const SECRET_NAME = /(SECRET|TOKEN|PASSW|PASSPHRASE|PWD|API_?KEY|PRIVATE|CREDENTIAL|AUTH|SIGNING|COOKIE|SESSION|_KEY$|^KEY$)/i;

export function isSecretVariable(variable: string, authVariables: ReadonlySet<string>): boolean {
  return authVariables.has(variable) || SECRET_NAME.test(variable);
}

function authTemplateVariables(capability: Capability): Set<string> {
  const out = new Set<string>();
  for (const api of capability.consumes ?? []) {
    const auth = api.authentication;
    if (!auth) continue;
    const texts = auth.type === 'apikey' ? [auth.key, auth.value] : auth.type === 'bearer' ? [auth.token] : auth.type === 'basic' || auth.type === 'digest' ? [auth.username, auth.password] : [];
    for (const text of texts) {
      for (const match of text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
        const path = match[1]!;
        out.add(path.includes('.') ? path.slice(path.indexOf('.') + 1) : path);
      }
    }
  }
  return out;
}
