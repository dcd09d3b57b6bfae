/**
 * Everything one MCP listener serves: the tools (with their precompiled
 * argument validators), resources and prompts of every MCP adapter that
 * shares the listener. Built once per capability-set version and swapped
 * atomically on reload.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { CompiledInvocable } from '../../engine/invocation.js';
import type { McpPrompt, McpResource, McpTool } from '../../spec/model.js';
import { annotationsFor, inputSchemaFor, outputSchemaFor, type JsonSchema, type ToolAnnotations } from './tool-schema.js';

export interface ToolEntry {
  name: string;
  descriptor: {
    name: string;
    title?: string;
    description?: string;
    inputSchema: JsonSchema;
    outputSchema?: JsonSchema;
    annotations?: ToolAnnotations;
  };
  validate: ValidateFunction;
  validateOutput?: ValidateFunction;
  compiled: CompiledInvocable;
  adapter: string;
  file: string;
}

export interface ResourceEntry {
  resource: McpResource;
  compiled?: CompiledInvocable;
  adapter: string;
}

export interface PromptEntry {
  prompt: McpPrompt;
  adapter: string;
}

export interface McpServerInfo {
  name: string;
  version: string;
  instructions?: string;
}

/** One Ajv for every tool schema of the process: compiling is the expensive part, not validating. */
const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false });

export class McpRegistry {
  readonly tools: ToolEntry[] = [];
  private readonly toolsByName = new Map<string, ToolEntry>();
  readonly resources: ResourceEntry[] = [];
  readonly prompts: PromptEntry[] = [];
  private readonly instructions: string[] = [];

  constructor(readonly info: Omit<McpServerInfo, 'instructions'>) {}

  addTool(tool: McpTool, compiled: CompiledInvocable, adapter: string, file: string): ToolEntry {
    const inputSchema = inputSchemaFor(tool, adapter, compiled.operation);
    const outputSchema = outputSchemaFor(tool.outputParameters);
    const description = tool.description ?? tool.label ?? tool.name;
    const entry: ToolEntry = {
      name: tool.name,
      descriptor: {
        name: tool.name,
        ...(tool.label ? { title: tool.label } : {}),
        description,
        inputSchema,
        ...(outputSchema ? { outputSchema } : {}),
        annotations: annotationsFor(tool, compiled.operation),
      },
      validate: ajv.compile(inputSchema),
      validateOutput: outputSchema ? ajv.compile(outputSchema) : undefined,
      compiled,
      adapter,
      file,
    };
    this.tools.push(entry);
    this.toolsByName.set(tool.name, entry);
    return entry;
  }

  tool(name: string): ToolEntry | undefined {
    return this.toolsByName.get(name);
  }

  addResource(resource: McpResource, compiled: CompiledInvocable | undefined, adapter: string): void {
    this.resources.push({ resource, compiled, adapter });
  }

  addPrompt(prompt: McpPrompt, adapter: string): void {
    this.prompts.push({ prompt, adapter });
  }

  addInstructions(text: string | undefined): void {
    if (text && !this.instructions.includes(text)) this.instructions.push(text);
  }

  get serverInfo(): McpServerInfo {
    return { ...this.info, ...(this.instructions.length > 0 ? { instructions: this.instructions.join('\n\n') } : {}) };
  }
}
