import { FormatError } from './errors.js';

/**
 * `avro` / `protobuf`: not supported by this runtime.
 *
 * The reference decodes one binary Avro datum (schema from an `.avsc` file named by outputSchema)
 * or a protobuf message (first message type of a `.proto` file), and only on the REST path
 * (its MCP/aggregate path cannot decode them at all); the exact JSON shape is untested upstream
 * (naftiko-core.md §13 item 11). Rather than guess that shape, the runtime reports a clear error.
 */
export function parseBinary(format: 'avro' | 'protobuf'): never {
  throw new FormatError(format, `\`${format}\` output is not supported by this runtime`);
}
