import { yamlModule } from '../../util/yaml-module.js';
import { FormatError, reason } from './errors.js';

/**
 * `yaml`: YAML → JSON value with typed scalars (YAML 1.2 core schema). Like Jackson's
 * `readTree`, only the first document of a multi-document stream is returned; an empty
 * stream gives `null`.
 */
export function parseYaml(text: string, format = 'yaml'): unknown {
  let docs;
  try {
    docs = yamlModule().parseAllDocuments(text, { prettyErrors: false });
  } catch (err) {
    throw new FormatError(format, `upstream body is not valid YAML: ${reason(err)}`, { cause: err });
  }
  const list = Array.isArray(docs) ? docs : [];
  const first = list[0];
  if (!first) return null;
  const error = first.errors[0];
  if (error) {
    throw new FormatError(format, `upstream body is not valid YAML: ${error.message}`, { cause: error });
  }
  try {
    return first.toJS({ maxAliasCount: 1000 }) ?? null;
  } catch (err) {
    throw new FormatError(format, `upstream body is not valid YAML: ${reason(err)}`, { cause: err });
  }
}
