/**
 * Token provider configuration: which bind variable is served by which OAuth2
 * grant, from the `--token-provider` flag or the `tokenProviders:` section of
 * runtime.yaml. Parsing is pure (no environment, no network): credentials are
 * named here (env variable or file), and read only when a token is minted.
 *
 * Flag syntax (one provider per flag; repeatable):
 *
 *   VARIABLE=client_credentials:TOKEN_URL?option=value&option=value
 *
 *   --token-provider 'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api'
 *
 * The query string holds the options (the token URL itself cannot carry one in
 * this form: use runtime.yaml for that). A `{name}` placeholder in `scope` is
 * filled from the call's parameter `name`, and tokens are then minted and
 * cached per value (e.g. `scope=customer.{customer_id}`).
 */
import { isObject } from '../../util/is-object.js';

export type CredentialSource = { env: string } | { file: string } | { value: string };

export interface TokenProviderSpec {
  /** The bind variable this provider serves (e.g. `LEAN_API_TOKEN`). */
  variable: string;
  grant: 'client_credentials';
  /** The token endpoint as configured (before `--upstream` overrides). */
  tokenUrl: string;
  clientId: CredentialSource;
  /** Never a literal value: an environment variable or a file. */
  clientSecret: { env: string } | { file: string };
  /** Requested scope; may contain `{param}` placeholders filled from the call's parameters. */
  scope?: string;
  /** Extra form fields some authorization servers want (Auth0 `audience`, RFC 8707 `resource`). */
  audience?: string;
  resource?: string;
  /** `post` = client_secret_post (form fields, Lean's documented method); `basic` = HTTP Basic (RFC 6749 §2.3.1). */
  auth: 'post' | 'basic';
  /** Refresh this long before expiry (capped at 10 % of the token's lifetime). */
  skewSeconds: number;
  /** A cached token is served only with at least this much validity left (e.g. 900 for Lean customer tokens). */
  minValiditySeconds: number;
  /** A failed token request is remembered this long (4xx); transient failures at most 5 s. */
  negativeTtlSeconds: number;
  /** At most this many tokens per minute (per scope) are minted because the previous one was rejected (401); beyond, the 401 reaches the caller. */
  maxRejectionRefreshesPerMinute: number;
  /** `--upstream` key (a consumes-style namespace) that may redirect the token endpoint; origin keys always apply. */
  namespace?: string;
  /** Values accepted for scope placeholders. */
  paramPattern: RegExp;
  /** Tokens cached per distinct scope (placeholders), least recently used evicted. */
  maxEntries: number;
  /** Placeholder names used in `scope`. */
  params: string[];
  /** Where it was configured, for messages (`--token-provider`, `runtime.yaml tokenProviders.LEAN_API_TOKEN`). */
  origin: string;
}

export class TokenProviderConfigError extends Error {}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DEFAULT_PARAM = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Options common to both syntaxes, by canonical name, with the flag spelling for messages. */
const OPTIONS = {
  tokenurl: 'token_url',
  grant: 'grant',
  clientid: 'client_id',
  clientidenv: 'client_id_env',
  clientidfile: 'client_id_file',
  clientsecret: 'client_secret',
  clientsecretenv: 'client_secret_env',
  clientsecretfile: 'client_secret_file',
  scope: 'scope',
  audience: 'audience',
  resource: 'resource',
  auth: 'auth',
  skew: 'skew',
  skewseconds: 'skew',
  minvalidity: 'min_validity',
  minvalidityseconds: 'min_validity',
  negativettl: 'negative_ttl',
  negativettlseconds: 'negative_ttl',
  maxrejectionrefreshes: 'max_401_refreshes',
  max401refreshes: 'max_401_refreshes',
  namespace: 'namespace',
  upstream: 'namespace',
  parampattern: 'param_pattern',
  maxentries: 'max_entries',
  insecure: 'insecure',
  variable: 'variable',
} as const;
type OptionName = (typeof OPTIONS)[keyof typeof OPTIONS];

const FLAG_OPTIONS = [
  'client_id_env',
  'client_id',
  'client_id_file',
  'client_secret_env',
  'client_secret_file',
  'scope',
  'audience',
  'resource',
  'auth',
  'skew',
  'min_validity',
  'negative_ttl',
  'max_401_refreshes',
  'namespace',
  'param_pattern',
  'max_entries',
  'insecure',
];

function canonical(key: string): OptionName | undefined {
  return (OPTIONS as Record<string, OptionName>)[key.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

/**
 * Parses `--token-provider` values (one spec per item; `RUNTIME_TOKEN_PROVIDERS`
 * holds several separated by whitespace — a spec never contains a raw space).
 */
export function parseTokenProviderSpecs(text: string | readonly string[]): TokenProviderSpec[] {
  const items = (typeof text === 'string' ? [text] : text).flatMap((t) => t.split(/\s+/)).filter(Boolean);
  return checkUnique(items.map((item) => parseOne(item, '--token-provider')));
}

function parseOne(item: string, origin: string): TokenProviderSpec {
  const eq = item.indexOf('=');
  if (eq <= 0) throw new TokenProviderConfigError(`${origin} expects VARIABLE=client_credentials:TOKEN_URL?options, got \`${item.slice(0, 80)}\``);
  const variable = item.slice(0, eq);
  return parseValue(variable, item.slice(eq + 1), `${origin} ${variable}`);
}

/** `client_credentials:https://host/path?opt=v&…` for one variable. */
function parseValue(variable: string, value: string, origin: string): TokenProviderSpec {
  const colon = value.indexOf(':');
  const grant = colon > 0 ? value.slice(0, colon) : '';
  if (!/^[a-z_]+$/.test(grant)) throw new TokenProviderConfigError(`${origin}: expected GRANT:TOKEN_URL (e.g. client_credentials:https://…), got \`${value.slice(0, 80)}\``);
  const rest = value.slice(colon + 1);
  const q = rest.indexOf('?');
  const options: Record<string, unknown> = { grant };
  if (q >= 0) {
    for (const [key, v] of new URLSearchParams(rest.slice(q + 1))) {
      const name = canonical(key);
      if (name === 'client_secret') {
        throw new TokenProviderConfigError(`${origin}: a client secret must never be written in configuration: use client_secret_env (environment variable) or client_secret_file`);
      }
      if (!name || !FLAG_OPTIONS.includes(name)) {
        throw new TokenProviderConfigError(`${origin}: unknown option \`${key}\` (known: ${FLAG_OPTIONS.join(', ')})`);
      }
      if (name in options && name !== 'grant') throw new TokenProviderConfigError(`${origin}: option \`${key}\` given twice`);
      options[name] = v;
    }
  }
  options.token_url = q >= 0 ? rest.slice(0, q) : rest;
  return build(variable, options as Partial<Record<OptionName, unknown>>, origin);
}

/**
 * The `tokenProviders:` section of runtime.yaml. Three shapes:
 *
 *   tokenProviders:                       # a map of objects (keys camelCase, snake_case or kebab-case)
 *     LEAN_API_TOKEN:
 *       tokenUrl: https://auth.leantech.me/oauth2/token
 *       clientIdEnv: LEAN_CLIENT_ID
 *       clientSecretEnv: LEAN_CLIENT_SECRET
 *       scope: api
 *   tokenProviders:                       # a map of flag values
 *     LEAN_API_TOKEN: client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=…
 *   tokenProviders:                       # a list of flag items (or objects with `variable:`)
 *     - LEAN_API_TOKEN=client_credentials:https://…
 */
export function tokenProviderSpecsFromConfig(section: unknown, origin = 'runtime.yaml tokenProviders'): TokenProviderSpec[] {
  if (section === undefined || section === null) return [];
  if (Array.isArray(section)) {
    return checkUnique(
      section.map((item, i) => {
        if (typeof item === 'string') return parseOne(item, `${origin}[${i}]`);
        if (isObject(item) && typeof item.variable === 'string') return fromObject(item.variable, item, `${origin}[${i}]`);
        throw new TokenProviderConfigError(`${origin}[${i}]: expected a VARIABLE=… string or an object with \`variable\``);
      }),
    );
  }
  if (!isObject(section)) throw new TokenProviderConfigError(`${origin}: expected a map of bind variable → provider`);
  return checkUnique(
    Object.entries(section).map(([variable, value]) => {
      const where = `${origin}.${variable}`;
      if (typeof value === 'string') return parseValue(variable, value, where);
      if (isObject(value)) return fromObject(variable, value, where);
      throw new TokenProviderConfigError(`${where}: expected an object or a \`client_credentials:URL?…\` string`);
    }),
  );
}

function fromObject(variable: string, object: Record<string, unknown>, origin: string): TokenProviderSpec {
  const options: Partial<Record<OptionName, unknown>> = {};
  for (const [key, value] of Object.entries(object)) {
    const name = canonical(key);
    if (!name) throw new TokenProviderConfigError(`${origin}: unknown key \`${key}\` (known: tokenUrl, ${FLAG_OPTIONS.map(camel).join(', ')})`);
    if (name === 'variable') continue;
    // Nested form: clientId: {env: X} / clientSecret: {file: /run/secrets/x}
    if ((name === 'client_id' || name === 'client_secret') && isObject(value)) {
      const keys = Object.keys(value);
      const kind = keys[0];
      if (keys.length !== 1 || (kind !== 'env' && kind !== 'file' && kind !== 'value')) {
        throw new TokenProviderConfigError(`${origin}.${key}: expected {env: NAME}, {file: PATH}${name === 'client_id' ? ' or {value: ID}' : ''}`);
      }
      const target = kind === 'value' ? name : (`${name}_${kind}` as OptionName);
      options[target] = value[kind];
      continue;
    }
    options[name] = value;
  }
  return build(variable, options, origin);
}

function build(variable: string, o: Partial<Record<OptionName, unknown>>, origin: string): TokenProviderSpec {
  const fail = (message: string): never => {
    throw new TokenProviderConfigError(`${origin}: ${message}`);
  };
  if (!VARIABLE.test(variable)) fail(`\`${variable}\` is not a bind variable name`);
  const str = (name: OptionName): string | undefined => {
    const v = o[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(`\`${camel(name)}\` must be a string`);
    const s = String(v).trim();
    return s === '' ? undefined : s;
  };
  const num = (name: OptionName, fallback: number, min: number): number => {
    const s = str(name);
    if (s === undefined) return fallback;
    const n = Number(s);
    if (!Number.isFinite(n) || n < min) fail(`\`${camel(name)}\` must be a number ≥ ${min}, got \`${s}\``);
    return n;
  };
  const envName = (name: OptionName): string | undefined => {
    const s = str(name);
    if (s !== undefined && !ENV_NAME.test(s)) fail(`\`${camel(name)}\` must be an environment variable name, got \`${s}\``);
    return s;
  };

  const grant = str('grant') ?? 'client_credentials';
  if (grant !== 'client_credentials') fail(`grant \`${grant}\` is not supported (only client_credentials)`);

  const tokenUrl = str('token_url') ?? fail('the token URL is missing');
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    return fail(`\`${tokenUrl}\` is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(`the token URL must be http(s), got \`${url.protocol}\``);
  const insecure = /^(1|true|yes)$/i.test(str('insecure') ?? '');
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !insecure) {
    fail(`the token URL \`${tokenUrl}\` sends the client secret in clear text: use https (or insecure=true for a trusted network)`);
  }
  if (url.username || url.password) fail('the token URL must not carry credentials');

  if (o.client_secret !== undefined) {
    fail('a client secret must never be written in configuration: use client_secret_env (environment variable) or client_secret_file');
  }
  const secretEnv = envName('client_secret_env');
  const secretFile = str('client_secret_file');
  if ((secretEnv === undefined) === (secretFile === undefined)) fail('give exactly one of client_secret_env or client_secret_file');
  const clientSecret = secretEnv !== undefined ? { env: secretEnv } : { file: secretFile! };

  const idEnv = envName('client_id_env');
  const idFile = str('client_id_file');
  const idValue = str('client_id');
  const idCount = [idEnv, idFile, idValue].filter((v) => v !== undefined).length;
  if (idCount !== 1) fail('give exactly one of client_id_env, client_id_file or client_id');
  const clientId: CredentialSource = idEnv !== undefined ? { env: idEnv } : idFile !== undefined ? { file: idFile } : { value: idValue! };

  const authText = str('auth') ?? 'post';
  if (authText !== 'post' && authText !== 'basic') fail(`auth must be \`post\` (client_secret_post) or \`basic\` (client_secret_basic), got \`${authText}\``);
  const auth: 'post' | 'basic' = authText === 'basic' ? 'basic' : 'post';

  const scope = str('scope');
  const params = scope ? [...new Set([...scope.matchAll(PLACEHOLDER)].map((m) => m[1]!))] : [];
  if (scope && /[{}]/.test(scope.replace(PLACEHOLDER, ''))) fail(`scope \`${scope}\` has an unbalanced \`{\` placeholder`);

  const patternText = str('param_pattern');
  let paramPattern = DEFAULT_PARAM;
  if (patternText === 'uuid') paramPattern = UUID;
  else if (patternText !== undefined) {
    try {
      paramPattern = new RegExp(patternText.startsWith('^') ? patternText : `^(?:${patternText})$`);
    } catch {
      fail(`param_pattern \`${patternText}\` is not a regular expression`);
    }
  }

  const namespace = str('namespace');
  return {
    variable,
    grant: 'client_credentials',
    tokenUrl: url.href,
    clientId,
    clientSecret,
    scope,
    audience: str('audience'),
    resource: str('resource'),
    auth,
    skewSeconds: num('skew', 60, 0),
    minValiditySeconds: num('min_validity', 0, 0),
    negativeTtlSeconds: num('negative_ttl', 30, 0),
    maxRejectionRefreshesPerMinute: Math.floor(num('max_401_refreshes', 3, 0)),
    namespace,
    paramPattern,
    maxEntries: Math.floor(num('max_entries', 1000, 1)),
    params,
    origin,
  };
}

/** Later lists win per variable (flags over runtime.yaml). */
export function mergeTokenProviderSpecs(...lists: readonly TokenProviderSpec[][]): TokenProviderSpec[] {
  const byVariable = new Map<string, TokenProviderSpec>();
  for (const list of lists) for (const spec of list) byVariable.set(spec.variable, spec);
  return [...byVariable.values()];
}

/** One line, safe to log: names sources, never values. */
export function describeSpec(spec: TokenProviderSpec): string {
  const source = (s: CredentialSource) => ('env' in s ? `$${s.env}` : 'file' in s ? `file ${s.file}` : 'inline');
  const scope = spec.scope ? ` scope=${spec.scope}` : '';
  return `${spec.variable} ← ${spec.grant} ${spec.tokenUrl}${scope} (client id ${source(spec.clientId)}, secret ${source(spec.clientSecret)}, ${spec.auth === 'basic' ? 'client_secret_basic' : 'client_secret_post'})`;
}

function checkUnique(specs: TokenProviderSpec[]): TokenProviderSpec[] {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.variable)) throw new TokenProviderConfigError(`${spec.origin}: a token provider for \`${spec.variable}\` is configured twice`);
    seen.add(spec.variable);
  }
  return specs;
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}


function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\./.test(hostname);
}
