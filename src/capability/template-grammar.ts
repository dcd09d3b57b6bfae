/**
 * The grammar of the mustache-style templates capability files use
 * (`{{name}}`, `{{ns.VAR}}`, `{{{x}}}`, `{{& x}}`, `{{! comment }}`): what is
 * literal text and which variables a template reads. Reading a file (lint,
 * bind usage) needs only this; rendering lives in src/engine/templates.ts.
 * Sections and partials are not part of the grammar.
 */
export interface TemplateVariable {
  /** Trimmed variable path, e.g. `env.LEAN_API_TOKEN`, `account_id`, `step.items.0.id`. */
  path: string;
}

export type TemplatePart = string | TemplateVariable;

const TAG = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([&!]?)\s*([^}]*?)\s*\}\}/g;

/** Splits a template into literal text and variables (comments dropped). */
export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(source.slice(last, index));
    last = index + match[0].length;
    const triple = match[1];
    const sigil = match[2];
    const name = triple ?? match[3] ?? '';
    if (sigil === '!') continue;
    if (name !== '') parts.push({ path: name });
  }
  if (last < source.length) parts.push(source.slice(last));
  return parts;
}

/** The variable paths a template reads, in order. */
export function templateVariablePaths(source: string): string[] {
  if (!source.includes('{{')) return [];
  return parseTemplate(source).flatMap((p) => (typeof p === 'string' ? [] : [p.path]));
}

export function hasTemplate(text: string): boolean {
  return text.includes('{{') && text.includes('}}');
}
