import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { yamlFilesUnder as yamlFiles } from '../../../test/helpers/paths.js';
import { parseSource } from '../source.js';
import { loadSchema, stripDialect, validateAgainstSchema } from './index.js';
import type { Diagnostic } from '../diagnostics.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const leanDir = resolve(repoRoot, '../shared/lean/capabilities');
const corpusDir = resolve(repoRoot, '../shared/corpus/apis-io');

function check(text: string, strict = false): Diagnostic[] {
  return validateAgainstSchema(parseSource('inline.yaml', text), { strict });
}

function checkFile(path: string, strict = false): Diagnostic[] {
  return validateAgainstSchema(parseSource(path, readFileSync(path, 'utf8')), { strict });
}


/** A small valid capability; `extra` lines are spliced in by the tests. */
function capability(parts: { consumes?: string; exposes?: string } = {}): string {
  return [
    'naftiko: 1.0.0-alpha2',
    'info:',
    '  label: Demo',
    '  description: A demo capability.',
    'capability:',
    '  consumes:',
    parts.consumes ??
      [
        '    - type: http',
        '      namespace: upstream',
        '      baseUri: https://api.example.test',
        '      resources:',
        '        - name: items',
        '          path: /items',
        '          operations:',
        '            - name: list-items',
        '              method: GET',
      ].join('\n'),
    '  exposes:',
    parts.exposes ??
      [
        '    - type: rest',
        '      namespace: demo-rest',
        '      port: 8080',
        '      resources:',
        '        - path: /items',
        '          operations:',
        '            - method: GET',
        '              call: upstream.list-items',
      ].join('\n'),
    '',
  ].join('\n');
}

describe('the schema file', () => {
  it('is draft 2020-12 with a description on every declared property', () => {
    const schema = loadSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const missing: string[] = [];
    const SUBSCHEMA = ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'contains'];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
      const obj = node as Record<string, unknown>;
      const props = typeof obj.properties === 'object' && obj.properties !== null ? (obj.properties as Record<string, unknown>) : {};
      for (const [key, sub] of Object.entries(props)) {
        // Objects with a `type` declare their properties; `if`/`then` refinements only narrow them.
        if (obj.type !== undefined && typeof (sub as Record<string, unknown>).description !== 'string') missing.push(`${path}/properties/${key}`);
        walk(sub, `${path}/properties/${key}`);
      }
      for (const key of SUBSCHEMA) walk(obj[key], `${path}/${key}`);
      for (const key of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(obj[key])) (obj[key] as unknown[]).forEach((b, i) => walk(b, `${path}/${key}/${i}`));
      for (const [name, def] of Object.entries((obj.$defs as Record<string, unknown> | undefined) ?? {})) walk(def, `#/$defs/${name}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
  });

  it('strict mode removes every x-dialect property and branch', () => {
    const strict = JSON.stringify(stripDialect(loadSchema()));
    expect(strict).not.toContain('"x-dialect":');
    expect(strict).toContain('"x-dialect-removed"');
  });
});

describe('default mode (alpha2 + APIs.io dialect)', () => {
  it('accepts the seed capability', () => {
    expect(checkFile(resolve(repoRoot, 'capabilities/authentication-tokens.yaml'))).toEqual([]);
  });

  it('accepts a minimal alpha2 capability', () => {
    expect(check(capability())).toEqual([]);
  });

  it('accepts a shared consumes file (root `consumes`, no capability)', () => {
    const text = ['naftiko: 1.0.0-alpha2', 'consumes:', '  - type: http', '    namespace: shared', '    baseUri: https://api.example.test', ''].join('\n');
    expect(check(text)).toEqual([]);
  });

  it('accepts the APIs.io habits: pass-through outputs, HEAD, snake_case names, {{env}} base URIs', () => {
    const text = capability({
      consumes: [
        '    - type: http',
        '      namespace: upstream',
        '      baseUri: "{{env.BASE_URL}}"',
        '      resources:',
        '        - name: items',
        '          path: /items/{id}',
        '          operations:',
        '            - name: head_item',
        '              method: HEAD',
        '              inputParameters:',
        '                - { name: id, in: path, type: string, required: true, description: Item id }',
        '              outputParameters:',
        '                - { name: result, type: integer, value: $. }',
      ].join('\n'),
      exposes: [
        '    - type: rest',
        '      namespace: demo-rest',
        '      port: 8080',
        '      description: REST adapter.',
        '      resources:',
        '        - path: /items/{id}',
        '          operations:',
        '            - method: HEAD',
        '              call: upstream.head_item',
        '              with: { id: rest.path.id, filters: [ { value: rest.query.q } ] }',
        '              outputParameters:',
        '                - { type: object, mapping: $. }',
      ].join('\n'),
    });
    expect(check(text)).toEqual([]);
  });
});

describe.runIf(existsSync(leanDir))('the Lean capability files', () => {
  const files = existsSync(leanDir) ? yamlFiles(leanDir) : [];

  it('are all present', () => {
    expect(files).toHaveLength(19);
  });

  it.each(files.map((f) => [relative(leanDir, f), f]))('%s validates clean in default mode', (_name, file) => {
    expect(checkFile(file)).toEqual([]);
  });

  it('report only dialect keys in strict mode', () => {
    for (const file of files) {
      const codes = new Set(checkFile(file, true).map((d) => d.code));
      expect([...codes]).toEqual(['schema-dialect']);
    }
  });
});
if (!existsSync(leanDir)) {
  describe.skip('the Lean capability files', () => {
    it('skipped', () => undefined);
  });
  console.log(`schema.test: ${leanDir} not found; skipping the Lean capability checks`);
}

describe('strict mode (pure alpha2)', () => {
  const seed = resolve(repoRoot, 'capabilities/authentication-tokens.yaml');

  it('reports dialect keys on the seed as errors at the key', () => {
    const diagnostics = checkFile(seed, true);
    const text = readFileSync(seed, 'utf8').split('\n');
    const byPointer = new Map(diagnostics.map((d) => [d.pointer, d]));
    const type = byPointer.get('/capability/consumes/0/resources/0/operations/0/inputParameters/0/type');
    const rest = byPointer.get('/capability/exposes/0/description');
    expect(type?.code).toBe('schema-dialect');
    expect(rest?.code).toBe('schema-dialect');
    expect(type?.message).toContain('APIs.io dialect');
    expect(text[type!.position!.line - 1]!.slice(type!.position!.column - 1)).toMatch(/^type: object/);
    expect(text[rest!.position!.line - 1]!.slice(rest!.position!.column - 1)).toMatch(/^description:/);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('rejects dialect union branches (HEAD, pass-through objects) and labels them', () => {
    const text = capability({
      exposes: [
        '    - type: rest',
        '      namespace: demo-rest',
        '      port: 8080',
        '      resources:',
        '        - path: /items',
        '          operations:',
        '            - method: HEAD',
        '              call: upstream.list-items',
        '              outputParameters:',
        '                - { type: object, mapping: $. }',
      ].join('\n'),
    });
    expect(check(text)).toEqual([]);
    const diagnostics = check(text, true);
    // Errors that exist only because an extension was removed are labelled as such.
    expect(diagnostics.map((d) => [d.code, d.pointer])).toEqual([
      ['schema-dialect', '/capability/exposes/0/resources/0/operations/0/method'],
      ['schema-dialect', '/capability/exposes/0/resources/0/operations/0/outputParameters/0'],
    ]);
    expect(diagnostics[0]!.message).toContain('expected one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`');
    expect(diagnostics[1]!.message).toContain('missing required key `properties`');
    expect(diagnostics[1]!.hint).toMatch(/without --strict/);
  });
});

describe('error quality', () => {
  it('a typo gets one error at the key, with a did-you-mean hint', () => {
    const text = capability({
      exposes: [
        '    - type: rest',
        '      namespace: demo-rest',
        '      port: 8080',
        '      resources:',
        '        - path: /items',
        '          operations:',
        '            - method: GET',
        '              call: upstream.list-items',
        '              outputParameter:',
        '                - { type: object, mapping: $. }',
      ].join('\n'),
    });
    const diagnostics = check(text);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d).toMatchObject({
      code: 'schema-unknown-key',
      severity: 'error',
      file: 'inline.yaml',
      pointer: '/capability/exposes/0/resources/0/operations/0/outputParameter',
      hint: 'did you mean `outputParameters`?',
    });
    const line = text.split('\n').findIndex((l) => l.includes('outputParameter:')) + 1;
    expect(d!.position).toEqual({ line, column: 15 });
    expect(d!.message).toBe('unknown key `outputParameter` in REST operation');
  });

  it('an unsupported auth type gets exactly one schema-unsupported error', () => {
    const text = capability({
      consumes: [
        '    - type: http',
        '      namespace: upstream',
        '      baseUri: https://api.example.test',
        '      authentication:',
        '        type: hmac',
        '        apiId: "{{API_ID}}"',
        '        apiKey: "{{API_KEY}}"',
        '      resources:',
        '        - name: items',
        '          path: /items',
        '          operations:',
        '            - { name: list-items, method: GET }',
      ].join('\n'),
    });
    const diagnostics = check(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: 'schema-unsupported',
      message: 'authentication type `hmac` is not supported',
      pointer: '/capability/consumes/0/authentication/type',
      position: { line: 11, column: 15 },
    });
    expect(diagnostics[0]!.hint).toMatch(/HMAC/);
  });

  // One plain error for each of these mistakes: [what, edit of the small capability, the error expected].
  it.each([
    [
      'a wrong port type',
      (text: string) => text.replace('port: 8080', 'port: "eighty"'),
      { code: 'schema-type', pointer: '/capability/exposes/0/port', message: '`port` of REST adapter `demo-rest` must be an integer, not the string "eighty"' },
    ],
    [
      'an unknown exposes type',
      () => capability({ exposes: ['    - type: graphql', '      namespace: gql', '      port: 8080', '      schema: ./x.graphql'].join('\n') }),
      { code: 'schema-unsupported', message: 'exposes type `graphql` is not supported', hint: 'supported: `rest`, `mcp`, `skill`, `control`' },
    ],
    [
      'an off-spec orchestration block',
      (text: string) => text.replace('capability:\n', 'capability:\n  orchestration:\n    - name: onboard\n      steps: []\n'),
      { code: 'schema-unsupported', pointer: '/capability/orchestration', position: { line: 6 } },
    ],
    [
      'a missing required key',
      (text: string) => text.replace('      baseUri: https://api.example.test\n', ''),
      { code: 'schema-missing-key', pointer: '/capability/consumes/0', message: 'Consumes entry `upstream` is missing required key `baseUri`' },
    ],
  ])('%s gets one error', (_what, edit, expected) => {
    const diagnostics = check(edit(capability()));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject(expected);
  });

  it('an enum value far from every allowed one lists them once, in the message (no repeated hint)', () => {
    const [d, ...rest] = check(capability().replace('method: GET\n              call', 'method: FETCH\n              call'));
    expect(rest).toEqual([]);
    expect(d!.message).toContain('expected one of `GET`');
    expect(d!.hint).toBeUndefined();
  });

  it('accepts JSON Schema habits on consumed parameters in the dialect, not in strict mode', () => {
    const text = capability().replace('              method: GET\n', '              method: GET\n              inputParameters:\n                - { name: limit, in: query, type: integer, default: 25, example: 10, enum: [10, 25], format: int32 }\n');
    expect(check(text)).toEqual([]);
    expect(new Set(check(text, true).map((d) => d.code))).toEqual(new Set(['schema-dialect']));
  });

  it('an enum error lists the allowed values and suggests the close one', () => {
    const diagnostics = check(capability().replace('method: GET\n              call', 'method: get\n              call'));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'schema-enum', hint: 'did you mean `GET`?' });
    expect(diagnostics[0]!.message).toContain('expected one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`');
  });

  it('a renamed required key is one problem, not "unknown" plus "missing"', () => {
    const text = capability().replace('            - name: list-items\n', '            - id: list-items\n');
    const diagnostics = check(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'schema-unknown-key', hint: 'did you mean `name`?' });
  });

  it('stdio MCP with a port points at the port', () => {
    const text = capability({
      exposes: [
        '    - type: mcp',
        '      namespace: demo-mcp',
        '      transport: stdio',
        '      port: 9090',
        '      tools:',
        '        - { name: list, description: List items, call: upstream.list-items }',
      ].join('\n'),
    });
    const line = text.split('\n').indexOf('      port: 9090') + 1;
    expect(check(text)).toMatchObject([{ code: 'schema-conflict', pointer: '/capability/exposes/0/port', position: { line, column: 7 } }]);
  });

  it('the same missing key on several list entries is reported once', () => {
    const text = capability({
      consumes: [
        '    - type: http',
        '      namespace: upstream',
        '      baseUri: https://api.example.test',
        '      resources:',
        '        - name: items',
        '          path: /items',
        '          operations:',
        '            - name: list-items',
        '              method: GET',
        '              inputParameters:',
        '                - { name: a }',
        '                - { name: b }',
        '                - { name: c, in: query }',
      ].join('\n'),
    });
    const diagnostics = check(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe(
      '2 consumed input parameters of consumed operation `list-items` (`a`, `b`) each is missing required key `in`',
    );
  });

  it('a tool with mapped outputs but nothing to call is one error', () => {
    const text = capability({
      exposes: [
        '    - type: mcp',
        '      namespace: demo-mcp',
        '      port: 9090',
        '      tools:',
        '        - name: list',
        '          description: List items',
        '          outputParameters:',
        '            - { type: object, mapping: $. }',
      ].join('\n'),
    });
    const diagnostics = check(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(/^MCP tool `list` has no `call`, `steps` or `ref`/);
  });

  it('every diagnostic has a position', () => {
    const diagnostics = check('naftiko: 1.0.0-alpha1\nextra: 1\n');
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['schema-enum', 'schema-missing-key', 'schema-unknown-key']);
    expect(diagnostics.every((d) => d.position !== undefined)).toBe(true);
  });

  it('validates the same file again and again with the same verdict (speed: bench/validate-speed.mjs)', () => {
    const source = parseSource('seed.yaml', readFileSync(resolve(repoRoot, 'capabilities/authentication-tokens.yaml'), 'utf8'));
    const first = validateAgainstSchema(source);
    for (let i = 0; i < 50; i++) expect(validateAgainstSchema(source)).toEqual(first);
  });
});

describe.runIf(existsSync(corpusDir))('the APIs.io corpus (report only)', () => {
  it('validates every file without crashing and prints the codes per file', () => {
    const files = yamlFiles(corpusDir);
    expect(files.length).toBeGreaterThanOrEqual(40);
    const lines: string[] = [];
    for (const file of files) {
      const diagnostics = checkFile(file);
      expect(diagnostics.every((d) => d.position !== undefined && d.message.length > 0)).toBe(true);
      const counts = new Map<string, number>();
      for (const d of diagnostics) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
      const summary = [...counts].map(([c, n]) => `${c}×${n}`).join(' ');
      lines.push(`${relative(corpusDir, file)}: ${summary || 'clean'}`);
    }
    console.log(`APIs.io corpus, default mode:\n  ${lines.join('\n  ')}`);
  });
});
