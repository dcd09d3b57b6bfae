/**
 * Prompts: declared messages or a file, with arguments substituted in one
 * literal pass (an argument is never re-read as a template).
 */
import { readFile, stat } from 'node:fs/promises';
import { isObject } from '../../util/is-object.js';
import { ErrorCodes, JsonRpcError } from './jsonrpc.js';
import type { PromptEntry } from './registry.js';
import { invalid } from './results.js';
import type { MethodCall, ProtocolServices, Result } from './types.js';

export async function getPrompt({ registry, params, server }: MethodCall): Promise<Result> {
  const name = params.name;
  if (typeof name !== 'string') throw invalid('prompts/get needs a prompt `name`.');
  const entry = registry.prompt(name);
  if (!entry) throw invalid(`Unknown prompt: ${name}`);
  const given = params.arguments ?? {};
  if (!isObject(given)) throw invalid('`arguments` must be an object of strings.');
  const declared = new Map<string, string>();
  for (const a of entry.prompt.arguments) {
    const value = given[a.name];
    if (value === undefined || value === null || value === '') {
      if (a.required) throw invalid(`Missing required argument \`${a.name}\` for prompt ${name}.`);
      declared.set(a.name, '');
    } else {
      declared.set(a.name, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  const messages = entry.path
    ? [{ role: 'user', content: await readPromptFile(server, entry) }]
    : entry.prompt.messages.map((m) => ({ role: m.role, content: m.content }));
  return {
    ...(entry.prompt.description ? { description: entry.prompt.description } : {}),
    // One pass, literal values: an argument is never re-read as a template (no injection through arguments).
    messages: messages.map((m) => ({ role: m.role, content: { type: 'text', text: substitute(m.content, declared) } })),
  };
}
async function readPromptFile(server: ProtocolServices, entry: PromptEntry): Promise<string> {
  try {
    const info = await stat(entry.path!);
    if (!info.isFile() || info.size > server.maxResourceBytes) throw new Error('not a readable file');
    return await readFile(entry.path!, 'utf8');
  } catch {
    throw new JsonRpcError(ErrorCodes.InternalError, `The prompt ${entry.prompt.name} cannot be read from its location.`);
  }
}
function substitute(template: string, values: Map<string, string>): string {
  if (values.size === 0 || !template.includes('{{')) return template;
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (all, key: string) => values.get(key) ?? all);
}
