/**
 * Semantic lint: checks the JSON Schema cannot express (references resolve,
 * names are unique within and across files, paths are fully supplied…).
 * Each rule lives in its own module and is registered here; README.md lists
 * them with their severities and the reference (Spectral) rules they adopt.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Capability } from '../model.js';
import { aggregateFunctionDuplicate } from './rules/aggregate-function-duplicate.js';
import { aggregateSemanticsConflict } from './rules/aggregate-semantics-conflict.js';
import { baseUriExample } from './rules/baseuri-example.js';
import { baseUriInvalid } from './rules/baseuri-invalid.js';
import { bindUndeclared } from './rules/bind-undeclared.js';
import { bindUnused } from './rules/bind-unused.js';
import { callTargetUnresolved } from './rules/call-target-unresolved.js';
import { consumedOperationDuplicate } from './rules/consumed-operation-duplicate.js';
import { consumedPathQuery } from './rules/consumed-path-query.js';
import { controlAddress } from './rules/control-address.js';
import { descriptionMissing } from './rules/description-missing.js';
import { descriptionUnsafe } from './rules/description-unsafe.js';
import { expressionUnresolvable } from './rules/expression-unresolvable.js';
import { mcpStdioAuth } from './rules/mcp-stdio-auth.js';
import { inboundAuthUnsupported } from './rules/inbound-auth-unsupported.js';
import { forwardTargetUnresolved } from './rules/forward-target-unresolved.js';
import { mcpToolDuplicate } from './rules/mcp-tool-duplicate.js';
import { mcpToolName } from './rules/mcp-tool-name.js';
import { nameInvalid } from './rules/name-invalid.js';
import { namespaceDuplicate } from './rules/namespace-duplicate.js';
import { oauth2Https } from './rules/oauth2-https.js';
import { oauth2Scopes } from './rules/oauth2-scopes.js';
import { parameterUnsupplied } from './rules/parameter-unsupplied.js';
import { pathParameterUnsupplied } from './rules/path-parameter-unsupplied.js';
import { pathParameterUnused } from './rules/path-parameter-unused.js';
import { portConflict } from './rules/port-conflict.js';
import { refTargetUnresolved } from './rules/ref-target-unresolved.js';
import { restPathInvalid } from './rules/rest-path-invalid.js';
import { restRouteDuplicate } from './rules/rest-route-duplicate.js';
import { stepNameInvalid } from './rules/step-name-invalid.js';
import { stepReferenceUnresolved } from './rules/step-reference-unresolved.js';
import { stepScriptUnsupported } from './rules/step-script-unsupported.js';
import { withKeyUnknown } from './rules/with-key-unknown.js';

export interface LintOptions {
  /**
   * `--strict`: names must match exactly. Without it (the dialect mode) a name
   * that differs only in case or separators from exactly one candidate is
   * resolved and reported as a warning (see src/capability/names.ts).
   */
  strict?: boolean;
}

export interface LintRule {
  /** Diagnostic code the rule emits. */
  code: string;
  /** Checks the whole set of loaded capabilities (cross-file rules need them all). */
  check(capabilities: readonly Capability[], options?: LintOptions): Diagnostic[];
}

/** Every rule, in reporting order: references, then parameters, then names/ports, then style. */
export const rules: readonly LintRule[] = [
  // references
  callTargetUnresolved,
  refTargetUnresolved,
  stepReferenceUnresolved,
  expressionUnresolvable,
  bindUndeclared,
  // parameters
  pathParameterUnsupplied,
  parameterUnsupplied,
  withKeyUnknown,
  pathParameterUnused,
  // uniqueness, names, ports
  namespaceDuplicate,
  consumedOperationDuplicate,
  aggregateFunctionDuplicate,
  mcpToolDuplicate,
  restRouteDuplicate,
  mcpToolName,
  nameInvalid,
  portConflict,
  // URLs and paths
  baseUriInvalid,
  baseUriExample,
  restPathInvalid,
  consumedPathQuery,
  // behaviour
  stepScriptUnsupported,
  stepNameInvalid,
  aggregateSemanticsConflict,
  // security
  descriptionUnsafe,
  oauth2Https,
  oauth2Scopes,
  mcpStdioAuth,
  inboundAuthUnsupported,
  forwardTargetUnresolved,
  controlAddress,
  // documentation and hygiene
  descriptionMissing,
  bindUnused,
];

export function lintCapabilities(capabilities: readonly Capability[], options: LintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of rules) {
    try {
      out.push(...rule.check(capabilities, options));
    } catch (error) {
      // A rule bug must not hide every other diagnostic (nor crash `validate`).
      out.push({
        code: 'lint-internal-error',
        severity: 'warning',
        message: `The lint rule \`${rule.code}\` failed: ${(error as Error).message}`,
        file: capabilities[0]?.file ?? '',
        pointer: '',
      });
    }
  }
  return out;
}
