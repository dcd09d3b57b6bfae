/**
 * `runtime export openapi CAPABILITY`: the OpenAPI 3.1 document of a file's
 * REST adapter(s) — the same document a running listener serves at
 * /openapi.json. Exit codes as `validate`: 0 ok, 1 invalid capability or no
 * such adapter, 2 a path that does not exist.
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { loadCapabilities } from '../capability/loader.js';
import type { RestAdapter } from '../capability/model.js';
import { exportOpenApi } from '../openapi/export.js';
import { renderDiagnostics } from './report.js';

export interface ExportFlags {
  output?: string;
  adapter?: string;
  format?: 'json' | 'yaml';
}

export async function exportOpenApiCommand(file: string, flags: ExportFlags, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  const loaded = await loadCapabilities([file]);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    io.stderr.write(`${renderDiagnostics(errors, 'text', loaded.files.length)}\n`);
    return errors.some((d) => d.code === 'path-not-found') ? 2 : 1;
  }
  const targets = loaded.capabilities.flatMap((capability) =>
    capability.exposes.filter((a): a is RestAdapter => a.type === 'rest' && (flags.adapter === undefined || a.namespace === flags.adapter)).map((adapter) => ({ capability, adapter })),
  );
  if (targets.length === 0) {
    const available = loaded.capabilities.flatMap((c) => c.exposes.filter((a) => a.type === 'rest').map((a) => (a as RestAdapter).namespace));
    io.stderr.write(`runtime: ${file}: ${flags.adapter ? `no REST adapter \`${flags.adapter}\`` : 'no REST adapter'}${available.length ? ` (REST adapters: ${available.join(', ')})` : ''}\n`);
    return 1;
  }
  const document = exportOpenApi(targets);
  const format = flags.format ?? (flags.output && /\.ya?ml$/i.test(flags.output) ? 'yaml' : 'json');
  const text = format === 'yaml' ? stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }) : `${JSON.stringify(document, null, 2)}\n`;
  if (flags.output) await writeFile(flags.output, text);
  else io.stdout.write(text);
  return 0;
}
