import { describe, expect, it } from 'vitest';
import { loadCapabilityText } from './loader.js';
import { parseSource } from './source.js';

const head = 'naftiko: 1.0.0-alpha2\ninfo:\n  label: X\n  description: Y\ncapability:\n  consumes:\n    - type: http\n';

describe('one YAML mistake, one error at the line to change', () => {
  it.each([
    ['a key indented more than its siblings', `${head}      namespace: api\n        baseUri: https://x.dev\n      resources: []\n`, 9, '`baseUri` is indented more than its siblings'],
    ['a key indented less than its siblings', `${head}      namespace: api\n    baseUri: https://x.dev\n      resources: []\n`, 9, '`baseUri` is indented less than its siblings'],
    ['a tab in the indentation', `${head}      namespace: api\n\t  baseUri: https://x.dev\n      resources: []\n  exposes: []\n`, 9, 'tabs are not allowed in YAML indentation'],
  ])('%s', (_what, text, line, message) => {
    const { diagnostics } = parseSource('x.yaml', text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'yaml-syntax', message, position: { line } });
    expect(diagnostics[0]!.hint).toBeTruthy();
  });

  it('keeps other syntax errors (one) and duplicate keys', () => {
    expect(parseSource('x.yaml', 'a: [1, 2\nb: 3\n').diagnostics).toHaveLength(1);
    expect(parseSource('x.yaml', 'a: 1\na: 2\n').diagnostics.map((d) => d.code)).toEqual(['yaml-duplicate-key']);
  });
});

describe('a YAML file that is not a capability', () => {
  it.each([
    ['a mapping of something else', 'hello: world\n', 'found a mapping with 1 other key(s)'],
    ['plain text', 'just some text\nmore text\n', 'found plain text'],
    ['a list', '- a\n- b\n', 'found a list'],
  ])('%s gets one clear error', async (_what, text, found) => {
    const { diagnostics, capability } = await loadCapabilityText(text);
    expect(capability).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'not-a-capability' });
    expect(diagnostics[0]!.message).toContain('not a Naftiko capability');
    expect(diagnostics[0]!.message).toContain(found);
  });

  it('still loads a shared consumes file (root `consumes`, no capability)', async () => {
    const { diagnostics } = await loadCapabilityText('consumes:\n  - type: http\n    namespace: a\n    baseUri: https://a.dev\n    resources: []\n');
    expect(diagnostics.filter((d) => d.code === 'not-a-capability')).toEqual([]);
  });
});
