/**
 * A consumed API's `baseUri` must be a usable absolute http(s) URL: not empty,
 * an http or https scheme (checked after setting `{{VAR}}` templates aside), no
 * query or fragment (paths are appended to it), and no OpenAPI-style `{var}`
 * placeholder — only `{{var}}` templates are substituted, so `{var}` is sent
 * literally. A trailing slash is only a warning: the runtime trims it
 * (reference rule naftiko-consumes-baseuri-no-trailing-slash).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, rawAt, reportAt, type DiagnosticInput } from '../context.js';

const code = 'baseuri-invalid';

export const baseUriInvalid: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const api of capability.consumes) {
        const pointer = childPointer(api.loc, 'baseUri');
        for (const problem of problems(api.baseUri, api.namespace, rawAt(capability, pointer) === undefined)) {
          out.push(reportAt(capability, pointer, problem));
        }
      }
      return out;
    }),
};

function problems(baseUri: string, namespace: string, absent: boolean): DiagnosticInput[] {
  const error = (message: string, hint?: string): DiagnosticInput => ({ code, severity: 'error', message, hint });
  const uri = baseUri.trim();
  if (uri === '') {
    return [error(`The consumed API \`${namespace}\` has ${absent ? 'no' : 'an empty'} baseUri, so none of its operations can be called.`, 'Set it to the API server URL, e.g. `https://api.example.com/v1`, or `{{env.API_BASE_URL}}`.')];
  }
  const out: DiagnosticInput[] = [];
  // Templates stand for unknown text: a placeholder host keeps the rest checkable.
  const masked = uri.replace(/\{\{[^}]*\}\}/g, 'x');
  const single = [...masked.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
  if (!uri.startsWith('{{')) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(masked)?.[1]?.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      out.push(
        error(
          scheme ? `The baseUri \`${uri}\` of \`${namespace}\` uses the scheme \`${scheme}:\`; only http and https are supported.` : `The baseUri \`${uri}\` of \`${namespace}\` is not an absolute http(s) URL.`,
          uri.startsWith('{') ? `\`{${single[0] ?? ''}}\` is not substituted; write \`{{env.${single[0] ?? 'VAR'}}}\` and declare it under binds.` : 'Start it with `https://`.',
        ),
      );
      return out;
    }
  }
  if (single.length > 0) {
    out.push(
      error(
        `The baseUri \`${uri}\` of \`${namespace}\` contains ${single.map((s) => `\`{${s}}\``).join(', ')}: single-brace placeholders are not substituted, so the upstream receives them literally.`,
        `Use a bind template, e.g. \`{{env.${single[0]!.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}}}\`, declared under binds — or the actual value.`,
      ),
    );
  }
  if (/[?#]/.test(masked)) {
    out.push(error(`The baseUri \`${uri}\` of \`${namespace}\` contains a query or fragment; resource paths are appended after it, which breaks every URL.`, 'Move query parameters to `inputParameters` with `in: query`.'));
  }
  if (!uri.startsWith('{{') && single.length === 0 && !/[?#]/.test(masked)) {
    try {
      new URL(masked);
    } catch {
      out.push(error(`The baseUri \`${uri}\` of \`${namespace}\` is not a valid URL.`));
    }
  }
  if (uri.length > 1 && uri.endsWith('/') && !/[?#]/.test(masked)) {
    out.push({ code, severity: 'warning', message: `The baseUri \`${uri}\` of \`${namespace}\` ends with a slash; resource paths start with one.`, hint: `Write \`${uri.replace(/\/+$/, '')}\`.` });
  }
  return out;
}
