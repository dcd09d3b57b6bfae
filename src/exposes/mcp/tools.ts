/**
 * `tools/call`: validates the arguments, runs the call pipeline around the
 * invocation, and shapes the answer as the model reads it — text and
 * structured content, binary as image/audio/resource, failures as `isError`
 * results (never JSON-RPC errors: the model should read and correct them).
 */
import { asRuntimeError } from '../../engine/errors.js';
import type { InvocationResult } from '../../engine/invocation.js';
import { isObject } from '../../util/is-object.js';
import type { ToolEntry } from './registry.js';
import { isTextual, mediaType } from './resources.js';
import { invalid, TEXT_DECODER, toolError, trimText } from './results.js';
import type { MethodCall, ProtocolServices, Result } from './types.js';

export async function callTool({ registry, params, context, server }: MethodCall): Promise<Result> {
  const name = params.name;
  if (typeof name !== 'string') throw invalid('tools/call needs a tool `name`.');
  const entry = registry.tool(name);
  if (!entry) throw invalid(`Unknown tool: ${name}`);
  const args = params.arguments ?? {};
  if (!isObject(args)) throw invalid('`arguments` must be an object.');
  let status = 200;
  let upstream: InvocationResult['upstream'];
  let outcome: Result;
  let error: string | undefined;
  if (!entry.validate(args)) {
    // Since 2025-11-25 invalid arguments are a tool error the model can read and correct.
    status = 400;
    error = describeValidation(entry);
    outcome = toolError(`Invalid arguments for tool ${name}: ${error}.`);
  } else {
    try {
      const result = await server.invoke({
        surface: 'mcp',
        adapter: entry.adapter,
        operation: name,
        caller: context.caller,
        requestId: context.requestId,
        trace: context.trace,
        target: entry.compiled,
        input: { kind: 'mcp', arguments: args, ...(context.fresh ? { fresh: true } : {}) },
        signal: context.signal,
      });
      upstream = result.upstream;
      status = result.status;
      outcome = toolResult(server, entry, result);
      if (outcome.isError === true) error = 'tool error';
    } catch (thrown) {
      const failure = asRuntimeError(thrown);
      status = failure.status;
      error = failure.message;
      outcome = toolError(trimText(`${failure.title}: ${failure.message}`, server.options.maxErrorText, server.options.redactor));
    }
  }
  context.call = { adapter: entry.adapter, operation: name, status, upstream, error };
  return outcome;
}
function toolResult(server: ProtocolServices, entry: ToolEntry, result: InvocationResult): Result {
  const redactor = server.options.redactor;
  if (result.status >= 400) {
    const body = result.raw ? trimText(TEXT_DECODER.decode(result.raw.body).trim(), server.options.maxErrorText, redactor) : '';
    const operation = result.upstream?.operation ?? entry.name;
    return toolError(redactor.redact(`The upstream call ${operation} failed with HTTP ${result.status}.${body ? ` Response body: ${body}` : ''}`));
  }
  if (result.status >= 300 && result.upstream) {
    // Redirects are never followed: an upstream 3xx is no answer, and must not read as an empty success.
    return toolError(`The upstream call ${result.upstream.operation} answered HTTP ${result.status} (a redirect, which is not followed).`);
  }
  let value: unknown;
  let text: string;
  if (result.hasValue) {
    value = result.value;
    text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  } else if (result.raw && result.raw.body.length > 0 && !isTextual(result.raw.contentType)) {
    return binaryResult(entry, result.raw.body, mediaType(result.raw.contentType) ?? 'application/octet-stream');
  } else {
    text = result.raw ? TEXT_DECODER.decode(result.raw.body) : '';
    value = parseJson(text);
    if (value === undefined && text.length === 0) value = entry.validateOutput ? {} : undefined;
  }
  text = redactor.redact(text);
  const structured = value === undefined ? undefined : isObject(value) ? value : { [entry.wrapKey]: value };
  if (entry.validateOutput && (structured === undefined || !entry.validateOutput(structured))) {
    // A declared output schema is a promise (clients validate it): a result that breaks it is reported, not passed off.
    const why = structured === undefined ? 'the answer is not JSON' : describeErrors(entry.validateOutput.errors);
    server.options.logger.warn({ tool: entry.name, file: entry.file, problem: why }, 'tool result does not match its output schema');
    return toolError(`The result of ${entry.name} does not match its declared outputs (${why}). Result: ${trimText(text, server.options.maxErrorText, redactor)}`);
  }
  const output: Result = { content: [{ type: 'text', text }], isError: false };
  if (structured !== undefined) output.structuredContent = redactor.redactValue(structured);
  return output;
}
function binaryResult(entry: ToolEntry, body: Buffer, mimeType: string): Result {
  const data = body.toString('base64');
  if (mimeType.startsWith('image/')) return { content: [{ type: 'image', data, mimeType }], isError: false };
  if (mimeType.startsWith('audio/')) return { content: [{ type: 'audio', data, mimeType }], isError: false };
  return { content: [{ type: 'resource', resource: { uri: `urn:capability-runtime:result:${entry.name}`, mimeType, blob: data } }], isError: false };
}

function describeValidation(entry: ToolEntry): string {
  return (entry.validate.errors ?? [])
    .map((e) => {
      const where = e.instancePath ? `\`${e.instancePath.slice(1).replace(/\//g, '.')}\`` : 'arguments';
      if (e.keyword === 'required') return `missing required argument \`${String(e.params.missingProperty)}\``;
      if (e.keyword === 'additionalProperties') return `unknown argument \`${String(e.params.additionalProperty)}\``;
      return `${where} ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function describeErrors(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'result'} ${e.message ?? 'is invalid'}`).join('; ');
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
