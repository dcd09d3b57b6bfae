// Build step: compiles the Naftiko schema (default and strict modes) to standalone
// Ajv validators in dist/capability/schema-validators/, so a cold start does not pay
// the ~0.5 s schema compile. dist/capability/schema/load.js uses them only when their
// fingerprint matches schemas/naftiko.schema.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const standaloneCode = require('ajv/dist/standalone').default;
const { _ } = require('ajv');
const schema = await import('../dist/capability/schema/index.js');

const out = new URL('../dist/capability/schema-validators/', import.meta.url);
mkdirSync(out, { recursive: true });
const fingerprint = schema.schemaFingerprint();
for (const mode of ['default', 'strict']) {
  const ajv = schema.createSchemaAjv({ code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  const validate = ajv.compile(schema.schemaFor(mode === 'strict'));
  const code = `${standaloneCode(ajv, validate)}\nmodule.exports.fingerprint = ${JSON.stringify(fingerprint)};\n`;
  writeFileSync(new URL(`${mode}.cjs`, out), code);
}
console.log('precompiled schema validators (default, strict)');
