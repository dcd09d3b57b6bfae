#!/usr/bin/env node
// Regenerates capabilities/lean/ from Lean's OpenAPI documents and scripts/lean-pack.yaml.
//   npm run lean:generate                 (documents from ../shared/lean/openapi)
//   npm run lean:generate -- --from DIR   (another copy of the documents)
// The output is committed: review `git diff capabilities/lean` before committing it.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generatePack } from '../dist/openapi/pack.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const from = args.includes('--from') ? resolve(args[args.indexOf('--from') + 1]) : resolve(root, '../shared/lean/openapi');
const outDir = join(root, 'capabilities/lean');
const spec = parse(await readFile(join(root, 'scripts/lean-pack.yaml'), 'utf8'));
let files;
try {
  files = await generatePack(spec, from);
} catch (error) {
  console.error(`lean:generate: ${error.message}`);
  process.exit(1);
}
await mkdir(outDir, { recursive: true });
const keep = new Set(files.map((f) => f.file));
for (const old of await readdir(outDir)) if (old.endsWith('.yaml') && !keep.has(old)) await rm(join(outDir, old));
let total = 0;
for (const f of files) {
  await writeFile(join(outDir, f.file), f.text);
  total += f.operations.length;
  console.log(`${f.file}: ${f.operations.length} operation(s)`);
  for (const w of f.warnings) if (!/several servers/.test(w)) console.log(`  note: ${w}`);
}
console.log(`${files.length} file(s), ${total} operation(s) in ${outDir}`);
