#!/usr/bin/env node
/**
 * `npm run demo`: the Lean sandbox and the runtime wired to it, offline.
 *
 * Starts the fake Lean (auth on :4010, API on :4011), then the runtime (REST
 * :8080, MCP :9090) serving the bundled capabilities — plus the 19 Lean
 * capability files from ../shared/lean/capabilities when that folder exists —
 * with LEAN_API_TOKEN supplied by the client-credentials token provider, and
 * prints curl and MCP Inspector commands to try. Ctrl-C stops both.
 *
 *   node examples/demo.mjs [--rest-port N] [--mcp-port N] [--auth-port N] [--api-port N] [--smoke]
 *
 * Needs the runtime built (dist/, done by `npm ci`) and the sandbox compiled
 * (`tsc -p tsconfig.demo.json` → dist/fakes/). `--smoke` uses ephemeral ports,
 * runs the printed requests itself and exits 0 when they all work (CI).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const need = (path, hint) => {
  if (!existsSync(join(root, path))) {
    console.error(`demo: ${path} is missing — ${hint}`);
    process.exit(1);
  }
  return pathToFileURL(join(root, path)).href;
};
const runtimeUrl = need('dist/server/gateway.js', 'run `npm ci` (or `npm run build`) first');
const sandboxUrl = need('dist/fakes/lean/index.js', 'run `npx tsc -p tsconfig.demo.json` first (`npm run demo` does it)');
const { Gateway, StartupError } = await import(runtimeUrl);
const { parseTokenProviderSpec } = await import(pathToFileURL(join(root, 'dist/engine/tokens/index.js')).href);
const { UpstreamRoutes } = await import(pathToFileURL(join(root, 'dist/engine/upstream/routes.js')).href);
const { Redactor } = await import(pathToFileURL(join(root, 'dist/engine/redact.js')).href);
const { startLeanSandbox, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, LEAN_IDS } = await import(sandboxUrl);

// ------------------------------------------------------------------ options
const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return smoke ? 0 : fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`demo: ${name} needs a port number`);
    process.exit(2);
  }
  return n;
};
const ports = { rest: option('--rest-port', 8080), mcp: option('--mcp-port', 9090), auth: option('--auth-port', 4010), api: option('--api-port', 4011) };

// ------------------------------------------------------------------ capabilities
const bundled = join(root, 'capabilities');
const shared = resolve(root, '../shared/lean/capabilities');
// The 19 Lean files include authentication-tokens.yaml (the bundled seed): with them, add only lean-tokens.yaml.
const withLean = existsSync(shared);
const paths = withLean ? [shared, join(bundled, 'lean-tokens.yaml')] : [bundled];
const leanFiles = withLean ? readdirSync(shared).filter((f) => f.endsWith('.yaml')).length : 0;

// ------------------------------------------------------------------ sandbox + runtime
let lean;
try {
  // Lenient: the corpus capabilities cannot send entity_id / page / Idempotency-Key (docs/lean.md).
  lean = await startLeanSandbox({ authPort: ports.auth, apiPort: ports.api, strict: false, clock: { start: '2026-05-10T10:00:00Z' } });
} catch (error) {
  console.error(`demo: cannot start the Lean sandbox on ports ${ports.auth}/${ports.api}: ${error.code ?? error.message} (use --auth-port/--api-port)`);
  process.exit(1);
}
const env = { LEAN_CLIENT_ID: SANDBOX_CLIENT_ID, LEAN_CLIENT_SECRET: SANDBOX_CLIENT_SECRET };
const upstreamItems = [`https://auth.leantech.me=${lean.authUrl}`, `https://api2.leantech.me=${lean.apiUrl}`];
const upstreams = UpstreamRoutes.parse(upstreamItems);
const tokenFlag = 'LEAN_API_TOKEN=client_credentials:https://auth.leantech.me/oauth2/token?client_id_env=LEAN_CLIENT_ID&client_secret_env=LEAN_CLIENT_SECRET&scope=api';
const redactor = new Redactor();
const providers = parseTokenProviderSpec(tokenFlag).create({ routes: upstreams, env, redactor });
let runtime;
try {
  runtime = await Gateway.start({ paths, restPort: ports.rest, mcpPort: ports.mcp, upstreams, env, providers, redactor, logLevel: smoke ? 'warn' : 'info' });
} catch (error) {
  await lean.close();
  await providers.close();
  if (error instanceof StartupError) {
    console.error(`demo: the runtime cannot start: ${error.message}`);
    for (const d of error.diagnostics ?? []) console.error(`  ${d.file}: ${d.message}`);
  } else console.error(error);
  process.exit(1);
}
providers.useLogger(runtime.logger);

const rest = runtime.url('rest');
const mcp = runtime.url('mcp');
const ID = LEAN_IDS;

// ------------------------------------------------------------------ what to try
const q = (s) => `'${s}'`;
const curls = [
  ['A customer-scope token for the LinkSDK (the runtime holds the client secret)', `curl -s -X POST ${rest}/v1/tokens/customer/${ID.customers.C1}`],
  ['An api-scope token (backend only)', `curl -s -X POST ${rest}/v1/tokens/api`],
];
if (withLean) {
  curls.unshift(
    ['Banks (the runtime mints and caches the Lean token itself)', `curl -s ${rest}/v1/banks/v1/`],
    ['A customer', `curl -s ${rest}/v1/customers/v1/${ID.customers.C1}`],
    ['March transactions of an account', `curl -s ${q(`${rest}/v1/data/v2/accounts/${ID.accounts.CURRENT}/transactions?start_date=2026-03-01&end_date=2026-03-31`)}`],
    ['Confirmation of payee (a sandbox magic IBAN)', `curl -s -X POST ${rest}/v1/verifications/v1/accounts -H 'content-type: application/json' -d '{"country_code":"AE","type":"PERSONAL","account_details":{"type":"IBAN","value":"AE420260001015819612801"},"identifications":[{"type":"FULL_NAME","value":"Mohammed Ahmed Al Mansoori"}]}'`],
  );
}
const inspector = `npx @modelcontextprotocol/inspector@1.0.3 --cli ${mcp} --transport http`;
const mcpCommands = [
  ['List the tools', `${inspector} --method tools/list`],
  withLean
    ? ['Call one', `${inspector} --method tools/call --tool-name lean-getcustomerbyid --tool-arg customer_id=${ID.customers.C1}`]
    : ['Call one', `${inspector} --method tools/call --tool-name lean-create-customer-token --tool-arg customer_id=${ID.customers.C1}`],
  [
    'Or plain curl (JSON-RPC, stateless)',
    `curl -s ${mcp} -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"lean-create-customer-token","arguments":{"customer_id":"${ID.customers.C1}"}}}'`,
  ],
];

if (smoke) {
  const failures = [];
  const check = async (label, run) => {
    try {
      await run();
      console.log(`ok   ${label}`);
    } catch (error) {
      failures.push(label);
      console.log(`FAIL ${label}: ${error.message}`);
    }
  };
  const expectOk = async (url, init) => {
    const res = await fetch(url, init);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
    if (text.includes(SANDBOX_CLIENT_SECRET)) throw new Error('the client secret leaked');
    return JSON.parse(text);
  };
  if (withLean) {
    await check('GET banks', async () => {
      const banks = await expectOk(`${rest}/v1/banks/v1/`);
      if (!banks.some((b) => b.identifier === 'LEAN_OF_RETAIL_UAE')) throw new Error('no mock bank');
    });
    await check('GET customer', async () => {
      if ((await expectOk(`${rest}/v1/customers/v1/${ID.customers.C1}`)).customer_id !== ID.customers.C1) throw new Error('wrong customer');
    });
    await check('GET transactions', async () => {
      if (!(await expectOk(`${rest}/v1/data/v2/accounts/${ID.accounts.CURRENT}/transactions?start_date=2026-03-01&end_date=2026-03-31`)).data.transactions.length) throw new Error('none');
    });
  }
  await check('POST customer token', async () => {
    const t = await expectOk(`${rest}/v1/tokens/customer/${ID.customers.C1}`, { method: 'POST' });
    if (t.scope !== `customer.${ID.customers.C1}`) throw new Error(`scope ${t.scope}`);
  });
  await check('MCP tools/call', async () => {
    const body = await fetch(mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lean-create-customer-token', arguments: { customer_id: ID.customers.C1 } } }),
    }).then((r) => r.text());
    if (!body.includes('"isError":false')) throw new Error(body.slice(0, 200));
  });
  const tokenRequests = lean.journal.filter((e) => e.path === '/oauth2/token' && (e.headers['user-agent'] ?? '').includes('token-provider')).length;
  await check(`token provider minted ${tokenRequests} api token(s)`, async () => {
    if (withLean && tokenRequests !== 1) throw new Error('expected exactly one');
  });
  await runtime.close(0);
  await providers.close();
  await lean.close();
  process.exit(failures.length === 0 ? 0 : 1);
}

const rel = (p) => relative(process.cwd(), p) || '.';
const lines = [
  '',
  'Lean sandbox demo — everything below runs offline.',
  '',
  `  Lean sandbox   auth ${lean.authUrl}   api ${lean.apiUrl}   (fake clock 2026-05-10, demo credentials)`,
  `  REST           ${rest}`,
  `  MCP            ${mcp}`,
  `  capabilities   ${withLean ? `${leanFiles} Lean files from ${rel(shared)}/ + ${rel(bundled)}/lean-tokens.yaml` : `${rel(bundled)}/ (the token seed + lean-tokens)`}`,
  `  LEAN_API_TOKEN minted by the runtime (client credentials, cached, refreshed before expiry)`,
  ...(withLean ? [] : ['', `  (${rel(shared)} not found: only the token capabilities are served)`]),
  '',
  'Try, in another terminal:',
  ...curls.flatMap(([label, cmd]) => ['', `  # ${label}`, `  ${cmd}`]),
  '',
  'MCP (the Inspector CLI is fetched by npx once; after that it works offline):',
  ...mcpCommands.flatMap(([label, cmd]) => ['', `  # ${label}`, `  ${cmd}`]),
  '',
  'The same wiring with the CLI:',
  '',
  `  export LEAN_CLIENT_ID=${SANDBOX_CLIENT_ID} LEAN_CLIENT_SECRET=…   # SANDBOX_CLIENT_SECRET in test/fakes/lean/index.ts`,
  `  node bin/runtime.js serve ${paths.map(rel).join(' ')} \\`,
  ...upstreamItems.map((u) => `    --upstream ${u} \\`),
  `    --token-provider ${q(tokenFlag)}`,
  '',
  'Ctrl-C to stop.',
  '',
];
console.log(lines.join('\n'));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await runtime.close(1000);
  await providers.close();
  await lean.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
