/**
 * Starts the real runtime in-process on ephemeral loopback ports, with logs
 * captured in memory (so tests can assert on them, e.g. that no secret leaks).
 */
import { Writable } from 'node:stream';
import { Redactor } from '../../src/engine/redact.js';
import { UpstreamRoutes } from '../../src/engine/upstream/routes.js';
import { createLogger } from '../../src/server/logger.js';
import { Gateway, type GatewayOptions } from '../../src/server/gateway.js';

export interface TestRuntime {
  runtime: Gateway;
  restUrl: string;
  mcpUrl: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startTestRuntime(
  options: Partial<GatewayOptions> & { paths: string[]; upstream?: Record<string, string> },
): Promise<TestRuntime> {
  const logs: string[] = [];
  const redactor = options.redactor ?? new Redactor();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', redactor, destination });
  const runtime = await Gateway.start({
    restPort: 0,
    mcpPort: 0,
    env: {},
    ...options,
    upstreams: options.upstreams ?? new UpstreamRoutes(Object.entries(options.upstream ?? {})),
    redactor,
    logger,
  });
  const find = (kind: 'rest' | 'mcp') => runtime.summaries.find((s) => s.kind === kind)?.url ?? '';
  return { runtime, restUrl: find('rest'), mcpUrl: find('mcp'), logs, close: () => runtime.close(1000) };
}
