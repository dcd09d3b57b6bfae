/**
 * `forward` on a REST resource: a pass-through proxy to a consumed API. The
 * rest of the path (the `{path}` variable) is appended to the API's base URI;
 * method, query string and body go through unchanged; only the headers the file
 * lists as trusted are copied (plus the body's content type); the API's own
 * authentication is applied, so callers never hold the upstream credential.
 * The upstream answer is relayed as it came.
 */
import type { ConsumedApi } from '../../capability/model.js';
import { ConfigError, InputError } from '../errors.js';
import type { CallerInput } from '../input.js';
import type { InvocationContext, InvocationResult } from '../invocation.js';
import { Template, type Lookup } from '../templates.js';
import { compileAuth, type AuthApplier } from './auth.js';
import type { CallContext } from './operation.js';

/** Headers that describe one hop and must not be copied (RFC 9110 §7.6.1), whatever the file says. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

export class ForwardInvocable {
  private readonly baseUri: Template;
  private readonly auth?: AuthApplier;
  private readonly trusted: string[];
  private readonly bindVariables: string[];

  constructor(
    private readonly api: ConsumedApi,
    trustedHeaders: readonly string[],
    private readonly context: (extra: InvocationContext) => CallContext,
  ) {
    this.baseUri = Template.compile(api.baseUri);
    this.auth = compileAuth(api.authentication, () => true); // forward templates read binds only
    this.trusted = trustedHeaders.map((h) => h.toLowerCase()).filter((h) => !HOP_BY_HOP.has(h));
    const binds = context({}).binds;
    this.bindVariables = [...new Set([...this.baseUri.variables.map((v) => v.path), ...(this.auth?.variables ?? [])].map((p) => binds.variableFor(p)).filter((v): v is string => v !== undefined))];
  }

  async invoke(input: CallerInput, extra: InvocationContext = {}): Promise<InvocationResult> {
    if (input.kind !== 'rest') throw new InputError('forward serves REST requests only.');
    const ctx = this.context(extra);
    const values = await ctx.binds.values(this.bindVariables);
    const lookup: Lookup = (path) => {
      const variable = ctx.binds.variableFor(path);
      if (variable !== undefined) return values.get(variable);
      if (ctx.binds.isQualified(path)) throw new ConfigError(`The template variable \`${path}\` names no declared bind variable.`);
      return undefined;
    };
    // Segments are decoded (the router may leave `%2E%2E` encoded) and checked, then encoded again:
    // a forwarded path can never climb above the API's base path.
    const segments = (input.path.path ?? '').split('/').map(decodeSegment);
    if (segments.some((segment) => segment === undefined || segment === '..' || segment === '.')) {
      throw new InputError('The forwarded path may not contain `.` or `..` segments or malformed escapes.');
    }
    const base = ctx.routes.rewrite(this.api.namespace, this.baseUri.render(lookup).replace(/\/+$/, ''));
    const url = new URL(`${base}/${(segments as string[]).map(encodeURIComponent).join('/')}`);
    for (const [k, v] of input.query) url.searchParams.append(k, v);
    const headers: Record<string, string> = { 'user-agent': 'capability-runtime/0.1' };
    for (const name of this.trusted) if (input.headers[name] !== undefined) headers[name] = input.headers[name]!;
    if (input.rawBody && input.contentType) headers['content-type'] = input.contentType;
    if (extra.requestId) headers['x-request-id'] = extra.requestId;
    this.auth?.apply(lookup, headers, url.searchParams, ctx.redactor);
    const response = await ctx.client.send({ method: input.method ?? 'GET', url, headers, body: input.rawBody });
    const contentType = response.headers['content-type'];
    return {
      status: response.status,
      hasValue: false,
      raw: { body: response.body, contentType: Array.isArray(contentType) ? contentType[0] : contentType },
      upstream: { status: response.status, durationMs: response.durationMs, operation: `${this.api.namespace} (forward)`, headers: response.headers },
    };
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
