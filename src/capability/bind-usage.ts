/**
 * Which bind variables a capability actually reads: a template (`{{X}}`,
 * `{{env.X}}`, `{{<ns>.X}}`) anywhere in the file, a `with` value `env.X` /
 * `<ns>.X` written without braces (the engine resolves those too), or an
 * `in: environment` parameter. A missing value matters only for these: the
 * lint calls the others unused (info) and `serve` warns about no other.
 */
import type { Capability, WithMap } from './model.js';
import { templateVariablePaths } from './template-grammar.js';

const cache = new WeakMap<Capability, ReadonlySet<string>>();

export function usedBindVariables(capability: Capability): ReadonlySet<string> {
  const cached = cache.get(capability);
  if (cached) return cached;
  const namespaces = new Set(['env', ...capability.binds.map((b) => b.namespace)]);
  const used = new Set<string>();
  const read = (path: string) => {
    const dot = path.indexOf('.');
    if (dot < 0) used.add(path);
    else if (namespaces.has(path.slice(0, dot))) used.add(path.slice(dot + 1));
  };
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      if (node.includes('{{')) templateVariablePaths(node).forEach(read);
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') for (const key in node) walk((node as Record<string, unknown>)[key]);
  };
  walk(capability.source.data);
  const bare = (map: WithMap) => {
    for (const value of Object.values(map)) {
      if (typeof value === 'string' && /^[A-Za-z0-9_-]+\.[A-Za-z_][A-Za-z0-9_]*$/.test(value.trim())) {
        const text = value.trim();
        if (namespaces.has(text.slice(0, text.indexOf('.')))) read(text);
      }
    }
  };
  const invocables = [
    ...capability.exposes.flatMap((a) => (a.type === 'rest' ? a.resources.flatMap((r) => r.operations) : a.type === 'mcp' ? [...a.tools, ...a.resources.flatMap((r) => (r.invocable ? [r.invocable] : []))] : [])),
    ...capability.aggregates.flatMap((a) => a.functions),
  ];
  for (const inv of invocables) {
    bare(inv.with);
    for (const step of inv.steps) if (step.type === 'call') bare(step.with);
  }
  for (const api of capability.consumes) {
    for (const p of [...api.inputParameters, ...api.resources.flatMap((r) => [...r.inputParameters, ...r.operations.flatMap((o) => o.inputParameters)])]) {
      if (p.in === 'environment') used.add(p.name);
    }
  }
  cache.set(capability, used);
  return used;
}
