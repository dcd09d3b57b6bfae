#!/usr/bin/env node
// The Lean sandbox on its own, for trying capabilities/lean (or your own files) against a local Lean:
//   npm run fake-lean -- [--auth-port 4010] [--api-port 4011] [--lenient] [--no-contract]
// It checks every API request against Lean's OpenAPI documents (../shared/lean/openapi) when they are
// present; --no-contract turns that off, --lenient also drops Lean's required-parameter rules.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const port = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`fake-lean: ${name} needs a port number`);
    process.exit(2);
  }
  return n;
};
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run fake-lean -- [--auth-port N] [--api-port N] [--lenient] [--no-contract]');
  process.exit(0);
}
const { startLeanSandbox, hasLeanOpenApi, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } = await import('../dist/fakes/lean/index.js');
const lenient = args.includes('--lenient');
const contract = !args.includes('--no-contract') && !lenient && hasLeanOpenApi();
let lean;
try {
  lean = await startLeanSandbox({ authPort: port('--auth-port', 4010), apiPort: port('--api-port', 4011), strict: !lenient, contract });
} catch (error) {
  console.error(`fake-lean: cannot listen (${error.code ?? error.message}); choose other ports with --auth-port/--api-port`);
  process.exit(1);
}
const config = resolve(root, 'examples/runtime.local-sandbox.yaml');
console.log(`Lean sandbox (fake): auth ${lean.authUrl}, API ${lean.apiUrl}`);
console.log(`  contract check against Lean's OpenAPI documents: ${contract ? 'on' : 'off'}${lenient ? ', lenient (Lean-required parameters not enforced)' : ''}`);
console.log(`  client id:     ${SANDBOX_CLIENT_ID}`);
console.log(`  client secret: ${SANDBOX_CLIENT_SECRET}`);
console.log('');
console.log('Serve the Lean pack against it (another terminal):');
console.log(`  export LEAN_CLIENT_ID=${SANDBOX_CLIENT_ID} LEAN_CLIENT_SECRET=${SANDBOX_CLIENT_SECRET}`);
console.log(`  node bin/runtime.js serve capabilities --upstream https://auth.leantech.me=${lean.authUrl} --upstream https://api2.leantech.me=${lean.apiUrl} \\`);
console.log(`    --token-provider 'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api'`);
if (lean.authUrl.endsWith(':4010') && lean.apiUrl.endsWith(':4011')) console.log(`  (or: node bin/runtime.js serve capabilities --config ${config})`);
console.log(`Fixture ids: ${lean.apiUrl}/_fake/ids   Journal: ${lean.apiUrl}/_fake/journal   Ctrl-C stops.`);
const stop = async () => {
  await lean.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
