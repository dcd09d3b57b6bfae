/**
 * Semantic lint: checks the JSON Schema cannot express (references resolve,
 * names are unique within and across files, paths are fully supplied…).
 * Each rule lives in its own module and is registered here.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Capability } from '../model.js';

export interface LintRule {
  /** Diagnostic code the rule emits. */
  code: string;
  /** Checks the whole set of loaded capabilities (cross-file rules need them all). */
  check(capabilities: readonly Capability[]): Diagnostic[];
}

const rules: LintRule[] = [];

export function lintCapabilities(capabilities: readonly Capability[]): Diagnostic[] {
  return rules.flatMap((rule) => rule.check(capabilities));
}
