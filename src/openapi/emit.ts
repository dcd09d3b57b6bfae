/** Writes a capability object as YAML (with a provenance header) or JSON. */
import { stringify } from 'yaml';

export type OutputFormat = 'yaml' | 'json';

export function renderCapability(capability: Record<string, unknown>, format: OutputFormat, header?: string): string {
  if (format === 'json') return `${JSON.stringify(capability, null, 2)}\n`;
  // No anchors/aliases: a dereferenced document shares objects, and a reader should see each schema where it applies.
  const body = stringify(capability, { lineWidth: 0, aliasDuplicateObjects: false });
  return header ? `${header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${body}` : body;
}
