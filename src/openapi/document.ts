/**
 * Reads an OpenAPI document (3.0, 3.1 or Swagger 2.0; YAML or JSON) from a
 * file, validates it, resolves its local `$ref`s and hands back one OpenAPI
 * 3.x-shaped object. Swagger 2.0 is lifted to the 3.x shape (servers,
 * requestBody, components) so the converter reads a single dialect.
 * Circular `$ref`s become object cycles; every walker of the converter stops
 * at an object it is already inside (and at a fixed depth), so a recursive
 * schema cannot make the import loop.
 */
import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { liftSwagger2 } from './swagger2.js';

export type OpenApiObject = Record<string, unknown>;

export interface LoadedDocument {
  file: string;
  /** `openapi` or `swagger` version string as written. */
  version: string;
  doc: OpenApiObject;
}

/** A document that cannot be imported. `pointer` is a JSON pointer into it when known. */
export class OpenApiImportError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly pointer?: string,
    /** 2 = the file cannot be read (like `validate`'s path errors), 1 = the document is invalid. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'OpenApiImportError';
  }

  render(): string {
    return `${this.file}${this.pointer ? ` ${this.pointer}` : ''}: ${this.message}`;
  }
}

export interface LoadOptions {
  /** Check the document against the OpenAPI schema (default true). */
  validate?: boolean;
}

export async function loadOpenApi(file: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  try {
    await readFile(file);
  } catch (error) {
    throw new OpenApiImportError(file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, undefined, 2);
  }
  const parserOptions = {
    // Only the document itself: a remote or sibling-file $ref is not followed (no network, no surprise reads).
    resolve: { external: false },
    // Cycles become object cycles; the converter's walkers carry a `seen` set and a depth limit.
    dereference: { circular: true },
  };
  let api: OpenApiObject;
  try {
    api = (options.validate === false
      ? await SwaggerParser.dereference(file, parserOptions as SwaggerParser.Options)
      : await SwaggerParser.validate(file, parserOptions as SwaggerParser.Options)) as unknown as OpenApiObject;
  } catch (error) {
    throw describeParserError(file, error);
  }
  const version = typeof api.openapi === 'string' ? api.openapi : typeof api.swagger === 'string' ? api.swagger : '';
  if (/^2\./.test(version)) return { file, version, doc: liftSwagger2(api) };
  if (!/^3\.[01]\./.test(version)) throw new OpenApiImportError(file, `unsupported version \`${version || 'none'}\` (OpenAPI 3.0, 3.1 or Swagger 2.0 expected)`, '/openapi');
  return { file, version, doc: api };
}

function describeParserError(file: string, error: unknown): OpenApiImportError {
  const e = error as { message?: string; details?: { instancePath?: string; message?: string; params?: unknown }[]; path?: string[]; code?: string; source?: string };
  const message = String(e.message ?? error).replace(/\s+/g, ' ').trim();
  if (Array.isArray(e.details) && e.details.length > 0) {
    const first = e.details[0]!;
    const more = e.details.length > 1 ? ` (and ${e.details.length - 1} more problem(s))` : '';
    return new OpenApiImportError(file, `not a valid OpenAPI document: ${first.message ?? message}${more}`, first.instancePath || '/');
  }
  if (Array.isArray(e.path) && e.path.length > 0) {
    return new OpenApiImportError(file, message, `/${e.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`);
  }
  // swagger-parser spells the pointer inside its message for semantic errors ("Validation failed. /paths/~1x/get has …").
  const pointer = /\s(\/paths\/\S+|#\/\S+)/.exec(message)?.[1];
  return new OpenApiImportError(file, message.replace(/^.*?:\s*(?=\S)/, (m) => (m.includes(file) ? '' : m)), pointer?.replace(/^#/, ''));
}
