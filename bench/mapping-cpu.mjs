#!/usr/bin/env node
// CPU µs per request of the mapped answer path versus the passthrough path, in
// process, on the real bench items answer (bench/lib/upstream.mjs): what the
// runtime does with the upstream body between receiving it and writing the reply.
//   mapped: parse in the operation's format → output mappers → JSON.stringify → redact
//   raw:    redact the buffer as it came
// Needs `npm run build` first (reads dist/).
//
//   node bench/mapping-cpu.mjs [--iterations 20000] [--rounds 5]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { itemsDocument } from './lib/upstream.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const iterations = opt('iterations', 20000);
const rounds = opt('rounds', 5);

const { loadCapabilityFile } = await import(path.join(ROOT, 'dist/capability/loader.js'));
const { compileOutputs } = await import(path.join(ROOT, 'dist/engine/mapping.js'));
const { parseBody } = await import(path.join(ROOT, 'dist/engine/formats/index.js'));
const { Redactor } = await import(path.join(ROOT, 'dist/engine/redact.js'));
const shapeMod = await import(path.join(ROOT, 'dist/engine/mapping.js'));

const { capability, diagnostics } = await loadCapabilityFile(path.join(ROOT, 'bench/capabilities/items.yaml'));
if (!capability) throw new Error(JSON.stringify(diagnostics));
const rest = capability.exposes.find((e) => e.type === 'rest');
const op = rest.resources.flatMap((r) => r.operations).find((o) => o.name === 'getItemMapped');
const shaping = op.outputParameters.filter((o) => o.mapping !== undefined || o.value !== undefined || o.const !== undefined || o.properties || o.items);
const outputs = compileOutputs(shaping);
// The engine's body reader for mapped answers, when it exists (falls back to parse + map).
const reader = shapeMod.compileBodyReader?.('json', outputs);

const body = Buffer.from(JSON.stringify(itemsDocument()));
const redactor = new Redactor();
redactor.add('bench-secret-value-that-never-occurs');
redactor.add('another-secret-0123456789');
const lookup = () => undefined;

function mapped() {
  const value = reader ? reader(body, lookup) : outputs(parseBody('json', body, { contentType: 'application/json' }), lookup);
  return redactor.redact(JSON.stringify(value ?? null));
}
function raw() {
  return redactor.redactBuffer(body);
}

function measure(fn) {
  for (let i = 0; i < 2000; i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

const out = { mapped: [], raw: [] };
for (let r = 0; r < rounds; r++) {
  out.mapped.push(measure(mapped));
  out.raw.push(measure(raw));
}
const best = (xs) => Math.min(...xs);
console.log(`body ${body.length} bytes, answer ${mapped().length} bytes, reader: ${reader ? 'compiled' : 'parse+map'}`);
console.log(`mapped ${best(out.mapped).toFixed(1)} µs/req (rounds: ${out.mapped.map((x) => x.toFixed(1)).join(' ')})`);
console.log(`raw    ${best(out.raw).toFixed(2)} µs/req (rounds: ${out.raw.map((x) => x.toFixed(2)).join(' ')})`);
console.log(`mapping overhead ${(best(out.mapped) - best(out.raw)).toFixed(1)} µs/req`);
