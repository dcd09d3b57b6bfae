/**
 * `runtime` command line: serve, validate and list capability files.
 * Exit codes: 0 ok, 1 invalid capabilities or runtime failure, 2 usage/IO problem.
 */
import { RUNTIME_VERSION } from '../version.js';
import { Command, Option } from 'commander';
// Only what the command definitions need loads up front: `--version` and `--help`
// must not pay for the server graph. Each action imports its modules on use.
import { ENV_VARS, DEFAULT_PATHS, UsageError } from './fields.js';
import type { ReportFormat } from './report.js';
import type { ServeFlags } from './config.js';
import type { ImportFlags } from './import.js';
import type { ExportFlags } from './export.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('runtime')
    .description('Serve Naftiko capability files as REST APIs and MCP servers.')
    .version(RUNTIME_VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('Serve capability files (files or folders; default ./capabilities).')
    .argument('[paths...]', `capability files or folders (env ${ENV_VARS.paths}, comma-separated)`)
    .option('--config <path>', `read settings from this YAML file (env ${ENV_VARS.config}; default ./runtime.yaml when present)`)
    .option('--host <host>', `interface to listen on (env ${ENV_VARS.host}; default 127.0.0.1)`)
    .option('--rest-port <port>', `serve every REST adapter on this port (env ${ENV_VARS.restPort})`)
    .option('--mcp-port <port>', `serve every MCP adapter on this port (env ${ENV_VARS.mcpPort})`)
    .option('--control-port <port>', `serve /health/live, /health/ready, /metrics and /status on this port (env ${ENV_VARS.controlPort})`)
    .option('--upstream <key=url>', `send a consumes namespace or an origin elsewhere; repeatable (env ${ENV_VARS.upstream}, comma-separated)`, collect)
    .option('--env-file <path>', `load bind variables from a dotenv file first (env ${ENV_VARS.envFile})`)
    .option('--strict', `a bind variable without a value is a startup error (env ${ENV_VARS.strict})`)
    .option('--skip-invalid', `serve the valid files and report the others (env ${ENV_VARS.skipInvalid})`)
    .option('--stdio', `serve every MCP tool over stdin/stdout for desktop clients; logs go to stderr (env ${ENV_VARS.stdio})`)
    .option('--watch', `reload when a capability file changes (env ${ENV_VARS.watch}; SIGHUP always reloads)`)
    .option('--drain-timeout <ms>', `on SIGTERM/SIGINT, wait this long for in-flight requests (env ${ENV_VARS.drainTimeout}; default 10000)`)
    .option('--workers <n>', `processes sharing the listeners, a number or \`auto\` (env ${ENV_VARS.workers}; default 1)`)
    .addOption(new Option('--log-level <level>', `log level (env ${ENV_VARS.logLevel})`).choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .addOption(new Option('--log-format <format>', `log format: JSON lines, pretty, or pretty on a terminal (env ${ENV_VARS.logFormat})`).choices(['auto', 'json', 'pretty']))
    .option('--max-body-bytes <n>', `largest accepted request body (env ${ENV_VARS.maxBodyBytes}; default 1048576)`)
    .option('--max-file-size <bytes>', `largest capability file read; larger ones are refused before reading (env ${ENV_VARS.maxFileSize}; default 1048576)`)
    .option('--max-connections <n>', `open connections per listener; more are closed on arrival (env ${ENV_VARS.maxConnections}; default 1024)`)
    .option('--upstream-timeout <ms>', `upstream call timeout (env ${ENV_VARS.upstreamTimeout}; default 30000)`)
    .option('--allowed-origin <origin>', `extra browser origin allowed on MCP, REST and control; repeatable (env ${ENV_VARS.allowedOrigin})`, collect)
    .option('--allowed-host <host>', `extra Host header allowed on MCP, REST and control; repeatable (env ${ENV_VARS.allowedHost})`, collect)
    .option('--token-provider <var=spec>', `mint the bind variable as an OAuth2 token, e.g. LEAN_API_TOKEN=client_credentials:URL?client_id_env=…; repeatable (env ${ENV_VARS.tokenProvider})`, collect)
    .option('--rate-limit <rps|off>', `limit each caller to this many requests per second per adapter (env ${ENV_VARS.rateLimit}; runtime.yaml policies.rateLimit; default off)`)
    .option('--rate-limit-burst <n>', `requests a caller may make at once (env ${ENV_VARS.rateLimitBurst}; default 2 × --rate-limit)`)
    .option('--cors-origin <origin>', `allow this browser origin on REST adapters (CORS), or \`*\`; repeatable (env ${ENV_VARS.corsOrigin}, comma-separated; default none)`, collect)
    .option('--retry <on|off>', `retry idempotent upstream calls (env ${ENV_VARS.retry}; default on)`)
    .option('--circuit-breaker <on|off>', `stop calling a failing upstream origin for a while (env ${ENV_VARS.circuitBreaker}; default on)`)
    .option('--cache <on|off>', `cache safe upstream answers (env ${ENV_VARS.cache}; default off)`)
    .option('--redis-url <url>', `share tokens and rate limits across replicas through Redis: redis://host:6379/0, rediss://…, unix:///path (env ${ENV_VARS.redisUrl}; tokens sealed with RUNTIME_STATE_KEY)`)
    .action(async (paths: string[], flags: ServeFlags) => {
      const [{ resolveServeConfig }, { serve }] = await Promise.all([import('./config.js'), import('./serve.js')]);
      process.exitCode = await serve(resolveServeConfig(flags, process.env, paths));
    });

  program
    .command('validate')
    .description('Validate capability files (files or folders; default ./capabilities).')
    .argument('[paths...]', 'capability files or folders')
    .option('--strict', 'validate pure Naftiko 1.0.0-alpha2 (the APIs.io dialect is an error)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .option('--verbose', 'also show infos (missing descriptions and other advice) in text and github output')
    .action(async (paths: string[], flags: { strict?: boolean; format: ReportFormat; verbose?: boolean }) => {
      process.exitCode = await validate(paths.length > 0 ? paths : DEFAULT_PATHS, flags);
    });

  program
    .command('list')
    .description('Print the listeners, routes and tools the files would serve.')
    .argument('[paths...]', 'capability files or folders')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--config <path>', 'read host and ports from this YAML file (default ./runtime.yaml when present)')
    .option('--host <host>', 'interface (default 127.0.0.1)')
    .option('--rest-port <port>', 'REST port override')
    .option('--mcp-port <port>', 'MCP port override')
    .option('--control-port <port>', 'the runtime control listener')
    .action(async (paths: string[], flags: ServeFlags & { format: 'text' | 'json' }) => {
      process.exitCode = await list(paths, flags);
    });

  const importCommand = program.command('import').description('Create capability files from other API descriptions.');
  importCommand
    .command('openapi')
    .description('Turn an OpenAPI 3.0/3.1 or Swagger 2.0 document (YAML or JSON) into one runnable capability file.')
    .argument('<spec>', 'the OpenAPI document (local file; local $refs are resolved)')
    .option('-o, --output <file>', 'write the capability here (default: stdout)')
    .option('--namespace <ns>', 'consumes namespace; adapters become <ns>-rest and <ns>-mcp (default: from info.title)')
    .addOption(new Option('--format <format>', 'output format (default: yaml, or json for a .json output file)').choices(['yaml', 'json']))
    .option('--include-tag <tag>', 'only operations with this tag; repeatable', collect)
    .option('--exclude-tag <tag>', 'leave out operations with this tag; repeatable', collect)
    .option('--operation <id>', 'only this operation (operationId or "METHOD /path"); repeatable', collect)
    .option('--base-uri <uri>', 'upstream base URI (default: the production or first absolute server)')
    .option('--rest-port <port>', 'port of the REST adapter (default 8080)')
    .option('--mcp-port <port>', 'port of the MCP adapter (default 9090)')
    .option('--no-validate', 'skip checking the document against the OpenAPI schema')
    .action(async (spec: string, flags: ImportFlags) => {
      const { importOpenApi } = await import('./import.js');
      process.exitCode = await importOpenApi(spec, flags);
    });

  program
    .command('init')
    .description('Create a runnable capability folder: runtime.yaml and a sample capability (never overwrites).')
    .argument('[dir]', 'the folder (default: the current one)', '.')
    .action(async (dir: string) => {
      const { initProject } = await import('./init.js');
      process.exitCode = await initProject(dir);
    });

  program
    .command('export')
    .description('Describe capability files in other formats.')
    .command('openapi')
    .description('Write the OpenAPI 3.1 document of a capability\'s REST adapter(s) (what a listener serves at /openapi.json).')
    .argument('<capability>', 'the capability file')
    .option('-o, --output <file>', 'write the document here (default: stdout)')
    .option('--adapter <ns>', 'only this REST adapter (default: every REST adapter of the file, merged)')
    .addOption(new Option('--format <format>', 'output format (default: json, or yaml for a .yaml output file)').choices(['json', 'yaml']))
    .action(async (file: string, flags: ExportFlags) => {
      const { exportOpenApiCommand } = await import('./export.js');
      process.exitCode = await exportOpenApiCommand(file, flags);
    });

  return program;
}

async function validate(paths: string[], flags: { strict?: boolean; format: ReportFormat; verbose?: boolean }): Promise<number> {
  const [{ validateFiles }, { renderDiagnostics }, { countBySeverity }] = await Promise.all([import('./validate-files.js'), import('./report.js'), import('../capability/diagnostics.js')]);
  const { files, diagnostics } = await validateFiles(paths, { strict: flags.strict, keepInfos: flags.format === 'json' || flags.verbose === true });
  const pathProblems = diagnostics.some((d) => d.code === 'path-not-found');
  const out = renderDiagnostics(diagnostics, flags.format, files, { verbose: flags.verbose });
  if (out) process.stdout.write(`${out}\n`);
  if (pathProblems) return 2;
  return countBySeverity(diagnostics).error > 0 ? 1 : 0;
}

async function list(positional: string[], flags: ServeFlags & { format: 'text' | 'json' }): Promise<number> {
  const [{ resolveServeConfig }, { loadCapabilities }, { planListeners }, { renderDiagnostics }] = await Promise.all([
    import('./config.js'),
    import('../capability/loader.js'),
    import('../server/plan.js'),
    import('./report.js'),
  ]);
  const { format, ...serveFlags } = flags;
  const config = resolveServeConfig(serveFlags, process.env, positional);
  const loaded = await loadCapabilities(config.paths);
  const plan = planListeners(loaded.capabilities, { host: config.host, restPort: config.restPort, mcpPort: config.mcpPort, controlPort: config.controlPort });
  const diagnostics = [...loaded.diagnostics, ...plan.diagnostics].filter((d) => d.severity === 'error');
  if (diagnostics.length > 0) {
    process.stderr.write(`${renderDiagnostics(diagnostics, 'text', loaded.files.length)}\n`);
    return 1;
  }
  const listeners = plan.listeners.map((l) => ({
    kind: l.kind,
    url: `http://${l.host}:${l.port}${l.kind === 'mcp' ? '/mcp' : ''}`,
    adapters: [...l.rest, ...l.mcp, ...l.control].map((a) => `${a.adapter.namespace ?? a.adapter.type} (${a.capability.file})`),
    routes: l.rest.flatMap((a) => a.adapter.resources.flatMap((r) => r.operations.map((o) => ({ method: o.method, path: r.path, call: o.call?.ref ?? (o.steps.length ? 'steps' : 'mock') })))),
    tools: l.mcp.flatMap((a) => a.adapter.tools.map((t) => ({ name: t.name, call: t.call?.ref ?? (t.steps.length ? 'steps' : 'mock') }))),
  }));
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ listeners }, null, 2)}\n`);
    return 0;
  }
  for (const l of listeners) {
    const what = l.kind === 'rest' ? `${l.routes.length} route(s)` : l.kind === 'mcp' ? `${l.tools.length} tool(s)` : 'health, metrics, status';
    process.stdout.write(`${l.kind.toUpperCase()} ${l.url}  (${l.adapters.length} adapter(s), ${what})\n`);
    for (const r of l.routes) process.stdout.write(`  ${r.method.padEnd(6)} ${r.path}  → ${r.call}\n`);
    for (const t of l.tools) process.stdout.write(`  ${t.name}  → ${t.call}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return 2;
    if (error instanceof UsageError) {
      process.stderr.write(`runtime: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`runtime: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
