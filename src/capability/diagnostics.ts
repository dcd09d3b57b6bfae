/**
 * Diagnostics: one problem found in a capability file, with its exact place.
 * Every stage that reads a file (YAML parse, JSON Schema, semantic lint, load)
 * reports through this one shape so the CLI can render them uniformly.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic {
  /** Stable machine-readable code, e.g. `yaml-syntax`, `schema-additional-property`, `call-target-unresolved`. */
  code: string;
  severity: Severity;
  /** Plain-words message; never contains secret values. */
  message: string;
  /** Absolute or cwd-relative path of the file. */
  file: string;
  /** JSON pointer of the offending node (`/capability/exposes/0/port`), '' for the document. */
  pointer: string;
  /** Where the offending node (or key) starts. Undefined only when the file could not be read at all. */
  position?: SourcePosition;
  /** Optional extra help: allowed values, nearest valid key, how to fix it. */
  hint?: string;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

export function countBySeverity(list: readonly Diagnostic[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of list) counts[d.severity]++;
  return counts;
}

/**
 * A diagnostic whose line and column are computed when first read. Lint rules
 * report infos that are usually never shown; computing their positions would
 * force the slower positioned YAML parse of every file.
 */
export function lazyDiagnostic(base: Omit<Diagnostic, 'position'>, position: () => SourcePosition | undefined): Diagnostic {
  let cached: SourcePosition | undefined;
  let done = false;
  return Object.defineProperty({ ...base }, 'position', {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        cached = position();
        done = true;
      }
      return cached;
    },
    set(value: SourcePosition | undefined) {
      cached = value;
      done = true;
    },
  }) as Diagnostic;
}
