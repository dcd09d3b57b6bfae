/**
 * A consumed `baseUri` or an exposed `address` on an `example.*` domain is a
 * placeholder someone forgot to replace (reference rules
 * naftiko-baseuri-not-example and naftiko-address-not-example). Info for base
 * URIs (mock and documentation files use them on purpose), warning for
 * addresses (a server cannot bind to them).
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { LintRule } from '../index.js';
import { childPointer, perCapability, reportAt } from '../context.js';

const code = 'baseuri-example';
const EXAMPLE = /(^|[./@])example\.(com|org|net)(?=$|[:/?#])/i;

export const baseUriExample: LintRule = {
  code,
  check: (capabilities) =>
    perCapability(capabilities, ({ capability }) => {
      const out: Diagnostic[] = [];
      for (const api of capability.consumes) {
        const host = api.baseUri.replace(/^[a-z]+:\/\//i, '');
        if (!EXAMPLE.test(host)) continue;
        out.push(
          reportAt(capability, childPointer(api.loc, 'baseUri'), {
            code,
            severity: 'info',
            message: `The baseUri \`${api.baseUri}\` of \`${api.namespace}\` points at an example domain.`,
            hint: 'Replace it with the real API server, or a bind template such as `{{env.API_BASE_URL}}`.',
          }),
        );
      }
      for (const adapter of capability.exposes) {
        if (!adapter.address || !EXAMPLE.test(adapter.address)) continue;
        out.push(
          reportAt(capability, childPointer(adapter.loc, 'address'), {
            code,
            severity: 'warning',
            message: `The ${adapter.type} adapter address \`${adapter.address}\` is an example domain; the server cannot listen on it.`,
            hint: 'Use `0.0.0.0`, `localhost` or a real interface address.',
          }),
        );
      }
      return out;
    }),
};
