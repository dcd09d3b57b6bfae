/**
 * Everything one MCP server serves: the tools (with their precompiled argument
 * and output validators and their ready-made `tools/list` descriptors), the
 * resources (with compiled URI templates) and the prompts (with compiled
 * message templates) of every MCP adapter that shares the server. Built once
 * per capability-set version and swapped atomically on reload, so a request
 * only reads precomputed data.
 */
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { bindFilePath } from '../../engine/binds.js';
import type { CompiledInvocable } from '../../engine/invocation.js';
import type { McpPrompt, McpResource, McpTool } from '../../capability/model.js';
import { annotationsFor, inputSchemaFor, outputSchemaFor, type JsonSchema, type ToolAnnotations } from './tool-schema.js';
import { compileUriTemplate, type UriTemplate } from './uri-template.js';

export interface ToolDescriptor {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: ToolAnnotations;
}

export interface ToolEntry {
  name: string;
  descriptor: ToolDescriptor;
  validate: ValidateFunction;
  validateOutput?: ValidateFunction;
  /** Key a non-object result is wrapped under in `structuredContent` (which must be an object in 2025). */
  wrapKey: string;
  compiled: CompiledInvocable;
  adapter: string;
  file: string;
}

export interface ResourceDescriptor {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}

export interface ResourceTemplateDescriptor {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface ResourceEntry {
  resource: McpResource;
  compiled?: CompiledInvocable;
  adapter: string;
  /** Compiled matcher when the URI has `{placeholders}`. */
  template?: UriTemplate;
  /** Absolute path of a static (`location: file:///…`) resource: a file, or a folder served file by file. */
  path?: string;
}

/** A prompt as the normalizer gives it, plus fields a newer normalizer may add (see README). */
export type PromptSource = Omit<McpPrompt, 'arguments'> & {
  location?: string;
  arguments: { name: string; description?: string; required: boolean; label?: string; title?: string }[];
};

export interface PromptEntry {
  prompt: PromptSource;
  adapter: string;
  descriptor: { name: string; title?: string; description?: string; arguments: { name: string; title?: string; description?: string; required: boolean }[] };
  /** Absolute path of a file-based prompt (one user message). */
  path?: string;
}

export interface McpServerInfo {
  name: string;
  version: string;
  instructions?: string;
}

/** MCP tool names (SEP-986): 1–128 characters of `[A-Za-z0-9_.-]`. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** One Ajv for every tool schema of the process: compiling is the expensive part, not validating. */
let ajv: Ajv2020 | undefined;
const toolAjv = (): Ajv2020 => {
  // Loaded on the first tools/call, not at startup (Ajv is a large CommonJS module).
  const { Ajv2020: AjvClass } = createRequire(import.meta.url)('ajv/dist/2020.js') as { Ajv2020: new (options: object) => Ajv2020 };
  return (ajv ??= new AjvClass({ allErrors: true, strict: false, coerceTypes: false, validateFormats: false }));
};

export class McpRegistry {
  readonly tools: ToolEntry[] = [];
  private readonly toolsByName = new Map<string, ToolEntry>();
  readonly resources: ResourceEntry[] = [];
  readonly prompts: PromptEntry[] = [];
  private readonly promptsByName = new Map<string, PromptEntry>();
  /** Problems found while building (invalid or duplicate names); the protocol logs them. */
  readonly warnings: string[] = [];
  private readonly instructions: string[] = [];
  private lists?: { tools: ToolDescriptor[]; resources: ResourceDescriptor[]; templates: ResourceTemplateDescriptor[]; prompts: PromptEntry['descriptor'][] };

  constructor(readonly info: Omit<McpServerInfo, 'instructions'>) {}

  addTool(tool: McpTool, compiled: CompiledInvocable, adapter: string, file: string): ToolEntry | undefined {
    if (!TOOL_NAME.test(tool.name)) {
      this.warnings.push(`MCP tool \`${tool.name}\` (${file}) is not served: tool names are 1–128 characters of letters, digits, \`_\`, \`-\` and \`.\`.`);
      return undefined;
    }
    if (this.toolsByName.has(tool.name)) {
      this.warnings.push(`MCP tool \`${tool.name}\` (${file}) is not served: another tool of this MCP server already has that name.`);
      return undefined;
    }
    const inputSchema = inputSchemaFor(tool, adapter, compiled.operation);
    const output = outputSchemaFor(tool.outputParameters, compiled);
    const description = tool.description ?? tool.label ?? tool.name;
    const entry: ToolEntry = {
      name: tool.name,
      descriptor: {
        name: tool.name,
        ...(tool.label ? { title: tool.label } : {}),
        description,
        inputSchema,
        ...(output?.schema ? { outputSchema: output.schema } : {}),
        annotations: annotationsFor(tool, compiled.operation),
      },
      validate: lazyValidator(inputSchema),
      validateOutput: output?.schema ? lazyValidator(output.schema) : undefined,
      wrapKey: output?.wrapKey ?? 'result',
      compiled,
      adapter,
      file,
    };
    this.tools.push(entry);
    this.toolsByName.set(tool.name, entry);
    this.lists = undefined;
    return entry;
  }

  tool(name: string): ToolEntry | undefined {
    return this.toolsByName.get(name);
  }

  addResource(resource: McpResource, compiled: CompiledInvocable | undefined, adapter: string): void {
    let template: UriTemplate | undefined;
    try {
      template = compileUriTemplate(resource.uri);
    } catch (error) {
      this.warnings.push(`MCP resource \`${resource.name}\` is not served: ${(error as Error).message}`);
      return;
    }
    const path = !compiled && resource.location?.startsWith('file:') ? bindFilePath(resource.location, dirname(resource.loc.file)) : undefined;
    if (!compiled && !path && resource.text === undefined) {
      this.warnings.push(`MCP resource \`${resource.name}\` (${resource.uri}) is not served: it has no \`call\`, \`steps\` or \`file:///\` location.`);
      return;
    }
    this.resources.push({ resource, compiled, adapter, template, path });
    this.lists = undefined;
  }

  addPrompt(prompt: McpPrompt, adapter: string): void {
    const source = prompt as PromptSource;
    if (this.promptsByName.has(prompt.name)) {
      this.warnings.push(`MCP prompt \`${prompt.name}\` is not served: another prompt of this MCP server already has that name.`);
      return;
    }
    const entry: PromptEntry = {
      prompt: source,
      adapter,
      descriptor: {
        name: prompt.name,
        ...(prompt.label ? { title: prompt.label } : {}),
        ...(prompt.description ? { description: prompt.description } : {}),
        arguments: source.arguments.map((a) => ({
          name: a.name,
          ...((a.title ?? a.label) ? { title: a.title ?? a.label } : {}),
          ...(a.description ? { description: a.description } : {}),
          required: a.required,
        })),
      },
      path: source.location?.startsWith('file:') ? bindFilePath(source.location, dirname(prompt.loc.file)) : undefined,
    };
    this.prompts.push(entry);
    this.promptsByName.set(prompt.name, entry);
    this.lists = undefined;
  }

  prompt(name: string): PromptEntry | undefined {
    return this.promptsByName.get(name);
  }

  addInstructions(text: string | undefined): void {
    if (text && !this.instructions.includes(text)) this.instructions.push(text);
  }

  get serverInfo(): McpServerInfo {
    return { ...this.info, ...(this.instructions.length > 0 ? { instructions: this.instructions.join('\n\n') } : {}) };
  }

  /** The `tools/list`, `resources/list` (fixed entries), `resources/templates/list` and `prompts/list` items, built once. */
  get listings(): NonNullable<McpRegistry['lists']> {
    if (this.lists) return this.lists;
    const resources: ResourceDescriptor[] = [];
    const templates: ResourceTemplateDescriptor[] = [];
    for (const { resource, template } of this.resources) {
      const common = {
        name: resource.name,
        ...(resource.label ? { title: resource.label } : {}),
        ...(resource.description ? { description: resource.description } : {}),
        ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
      };
      if (template) templates.push({ uriTemplate: resource.uri, ...common });
      else resources.push({ uri: resource.uri, ...common });
    }
    this.lists = { tools: this.tools.map((t) => t.descriptor), resources, templates, prompts: this.prompts.map((p) => p.descriptor) };
    return this.lists;
  }

  /** A fingerprint of what clients can list, per kind (list_changed notifications compare them). */
  fingerprint(kind: 'tools' | 'resources' | 'prompts'): string {
    const lists = this.listings;
    if (kind === 'tools') return JSON.stringify(lists.tools);
    if (kind === 'prompts') return JSON.stringify(lists.prompts);
    return JSON.stringify([lists.resources, lists.templates, this.resources.map((r) => r.path ?? '')]);
  }
}

/**
 * Compiles a tool's schema on its first use: compiling 50 tool schemas up front
 * was a tenth of a cold start, and most tools of a large set are rarely called.
 */
function lazyValidator(schema: object): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    compiled ??= toolAjv().compile(schema);
    return compiled(data);
  }) as ValidateFunction;
  Object.defineProperty(validate, 'errors', { get: () => compiled?.errors ?? null });
  return validate;
}
