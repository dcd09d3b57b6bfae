import { describe, expect, it } from 'vitest';
import { lintCapabilities, rules } from './index.js';
import { BASE, capabilityFrom } from './testing.js';

describe('lint registry', () => {
  it('registers every rule once, with kebab-case codes', () => {
    const codes = rules.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('finds nothing but infos in the base fixture', () => {
    const found = lintCapabilities([capabilityFrom(BASE)]);
    expect(found.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('reports every diagnostic with a file, a pointer and a position', () => {
    const broken = BASE.replace('call: api.get-item\n              with:', 'call: api.nope\n              with:');
    const found = lintCapabilities([capabilityFrom(broken)]);
    expect(found.length).toBeGreaterThan(0);
    for (const d of found) {
      expect(d.file).toBe('inline.yaml');
      expect(d.position?.line).toBeGreaterThan(0);
    }
  });

  it('keeps the lintCapabilities(capabilities) signature and accepts an empty set', () => {
    expect(lintCapabilities([])).toEqual([]);
  });
});
