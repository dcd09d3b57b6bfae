/**
 * Test helpers for lint rules: inline YAML → capability (parse + normalise,
 * independent of the JSON Schema stage) → the diagnostics of one rule.
 */
import { parse, stringify } from 'yaml';
import type { Diagnostic } from '../diagnostics.js';
import type { Capability } from '../model.js';
import { normalizeCapability } from '../normalize.js';
import { parseSource } from '../source.js';
import type { LintRule } from './index.js';

export function capabilityFrom(yaml: string, file = 'inline.yaml'): Capability {
  const source = parseSource(file, yaml);
  if (source.diagnostics.length > 0) throw new Error(`YAML error in test fixture: ${source.diagnostics[0]!.message}`);
  const { capability, diagnostics } = normalizeCapability(source);
  if (!capability) throw new Error(`Test fixture did not normalise: ${diagnostics.map((d) => d.message).join('; ')}`);
  return capability;
}

/** Runs one rule over inline YAML documents (one capability each). */
export function lint(rule: LintRule, ...yamls: string[]): Diagnostic[] {
  return rule.check(yamls.map((y, i) => capabilityFrom(y, yamls.length === 1 ? 'inline.yaml' : `inline-${i + 1}.yaml`)));
}

/** `lint` as `--strict` runs it (exact names only). */
export function lintStrict(rule: LintRule, ...yamls: string[]): Diagnostic[] {
  return rule.check(
    yamls.map((y, i) => capabilityFrom(y, yamls.length === 1 ? 'inline.yaml' : `inline-${i + 1}.yaml`)),
    { strict: true },
  );
}

/** A parsed capability document, loosely typed so tests can edit any part of it. */
export type Doc = Record<string, any>;

/** BASE with an edit applied to its parsed structure, re-serialised: each test states only what it changes. */
export function variant(edit: (doc: Doc) => void, base: string = BASE): string {
  const doc = parse(base) as Doc;
  edit(doc);
  return stringify(doc);
}

/** Shortcuts into a BASE-shaped document. */
export const at = {
  api: (d: Doc) => d.capability.consumes[0],
  consumedOp: (d: Doc) => d.capability.consumes[0].resources[0].operations[0],
  rest: (d: Doc) => d.capability.exposes[0],
  restOp: (d: Doc) => d.capability.exposes[0].resources[0].operations[0],
  mcp: (d: Doc) => d.capability.exposes[1],
  tool: (d: Doc) => d.capability.exposes[1].tools[0],
};

/** A small capability every rule accepts without errors or warnings. */
export const BASE = `naftiko: 1.0.0-alpha2
info:
  label: Test
  description: Test capability.
binds:
  - namespace: env
    keys:
      API_TOKEN: API_TOKEN
capability:
  consumes:
    - type: http
      namespace: api
      baseUri: https://api.test.dev
      description: Test API.
      authentication:
        type: bearer
        token: '{{env.API_TOKEN}}'
      resources:
        - name: items
          path: /items/{item_id}
          operations:
            - name: get-item
              method: GET
              description: Get one item.
              inputParameters:
                - name: item_id
                  in: path
                  type: string
                  required: true
                - name: expand
                  in: query
                  type: string
  exposes:
    - type: rest
      namespace: api-rest
      port: 8080
      resources:
        - path: /v1/items/{item_id}
          description: One item.
          operations:
            - method: GET
              name: get-item
              description: Get one item.
              call: api.get-item
              with:
                item_id: rest.path.item_id
                expand: rest.query.expand
    - type: mcp
      namespace: api-mcp
      port: 9090
      transport: http
      tools:
        - name: get-item
          description: Get one item.
          call: api.get-item
          with:
            item_id: tools.item_id
`;
