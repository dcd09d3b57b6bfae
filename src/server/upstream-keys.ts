/**
 * `--upstream KEY=URL` keys must name something the runtime calls: a consumed API's
 * namespace or baseUri origin, a token provider's token URL origin (or its namespace),
 * or an inbound oauth2 authorization server's origin. A key that matches nothing is
 * almost always a typo (`auth.leantec.me`), and a typo silently sends traffic to the
 * real production host while the log says "overrides active" — so at startup it is
 * refused, and on reload (files may legitimately change) it is a warning.
 */
import { editDistance } from '../capability/schema/suggest.js';
import type { Diagnostic } from '../capability/diagnostics.js';
import type { CapabilityEngine } from '../engine/capability-engine.js';
import type { ValueProvider } from '../engine/binds.js';
import { ClientCredentialsProvider } from '../engine/tokens/client-credentials.js';
import { Template } from '../engine/templates.js';
import type { UpstreamRoutes } from '../engine/upstream/routes.js';
import { StartupError } from './generation.js';

/** Startup refused because of `--upstream` keys (a usage error: the CLI exits 2). */
export class UpstreamKeyError extends StartupError {}

export interface UnmatchedUpstreamKey {
  key: string;
  suggestion?: string;
  message: string;
}

interface Targets {
  namespaces: Set<string>;
  origins: Set<string>;
  /** A templated baseUri could not be rendered now: origin keys cannot be judged. */
  unrenderable: boolean;
}

/** Keys of `routes` that match no target of the served capabilities and token providers. */
export function unmatchedUpstreamKeys(routes: UpstreamRoutes, runtimes: readonly CapabilityEngine[], providers: ReadonlyMap<string, ValueProvider> | undefined): UnmatchedUpstreamKey[] {
  if (routes.size === 0) return [];
  const targets = collectTargets(runtimes, providers);
  const out: UnmatchedUpstreamKey[] = [];
  for (const { key } of routes.entries()) {
    if (key.includes('://')) {
      // A baseUri whose template cannot be rendered yet (a caller parameter, a provider-served or
      // missing variable) may resolve to this origin at call time: never refuse on a guess.
      if (targets.origins.has(key) || targets.unrenderable) continue;
      const suggestion = suggestOrigin(key, targets.origins);
      out.push({ key, suggestion, message: describe(key, 'origin', suggestion, targets) });
    } else {
      if (targets.namespaces.has(key)) continue;
      const suggestion = nearest(key, [...targets.namespaces]);
      out.push({ key, suggestion, message: describe(key, 'namespace', suggestion, targets) });
    }
  }
  return out;
}

/** The same findings as diagnostics (for StartupError / rendering). */
export function upstreamKeyDiagnostics(unmatched: readonly UnmatchedUpstreamKey[]): Diagnostic[] {
  return unmatched.map((u) => ({ code: 'upstream-key-unmatched', severity: 'error', message: u.message, file: '--upstream', pointer: '' }));
}

function collectTargets(runtimes: readonly CapabilityEngine[], providers: ReadonlyMap<string, ValueProvider> | undefined): Targets {
  const targets: Targets = { namespaces: new Set(), origins: new Set(), unrenderable: false };
  for (const runtime of runtimes) {
    for (const api of runtime.capability.consumes) {
      targets.namespaces.add(api.namespace);
      const rendered = renderBase(api.baseUri, runtime);
      if (rendered === undefined) targets.unrenderable = true;
      else addOrigin(targets, rendered);
    }
    for (const adapter of runtime.capability.exposes) {
      const auth = 'authentication' in adapter ? adapter.authentication : undefined;
      // Inbound oauth2 fetches the authorization server's metadata through the same overrides.
      if (auth?.type === 'oauth2' && typeof auth.settings.authorizationServerUri === 'string') addOrigin(targets, auth.settings.authorizationServerUri);
    }
  }
  for (const provider of providers?.values() ?? []) {
    if (!(provider instanceof ClientCredentialsProvider)) continue;
    // The configured token URL (before overrides): `effectiveTokenUrl` is already rewritten.
    addOrigin(targets, provider.spec.tokenUrl);
    if (provider.spec.namespace) targets.namespaces.add(provider.spec.namespace);
  }
  return targets;
}

/** The baseUri with its bind variables filled in, or undefined when a value is not known now. */
function renderBase(baseUri: string, runtime: CapabilityEngine): string | undefined {
  const template = Template.compile(baseUri.replace(/(?<!\{)\{([A-Za-z0-9_.-]+)\}(?!\})/g, '{{$1}}'));
  let known = true;
  const rendered = template.render((path) => {
    const variable = runtime.binds.variableFor(path);
    const value = variable === undefined ? undefined : runtime.binds.knownValue(variable);
    if (value === undefined) known = false;
    return value;
  });
  return known ? rendered : undefined;
}

function addOrigin(targets: Targets, url: string): void {
  try {
    targets.origins.add(new URL(url).origin);
  } catch {
    // Not a URL: lint reports it; nothing an override could match.
  }
}

/** An origin whose host differs only by case or a Levenshtein distance of at most 2. */
function suggestOrigin(key: string, origins: ReadonlySet<string>): string | undefined {
  let host: string;
  try {
    host = new URL(key).host.toLowerCase();
  } catch {
    return undefined;
  }
  let best: { origin: string; distance: number } | undefined;
  for (const origin of origins) {
    const distance = editDistance(host, new URL(origin).host.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { origin, distance };
  }
  return best?.origin;
}

function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function describe(key: string, kind: 'origin' | 'namespace', suggestion: string | undefined, targets: Targets): string {
  const known = kind === 'origin' ? [...targets.origins] : [...targets.namespaces];
  const list = known.length > 0 ? ` Known ${kind}s: ${known.sort().join(', ')}.` : '';
  return `--upstream key \`${key}\` matches no consumed API${kind === 'origin' ? ' origin, token provider or authorization server' : ' namespace or token provider'}, so it would override nothing.${suggestion ? ` Did you mean \`${suggestion}\`?` : list}`;
}
