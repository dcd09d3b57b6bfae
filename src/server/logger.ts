/**
 * Structured logs (pino): JSON lines, pretty when stdout is a terminal. Every
 * line passes through the shared Redactor as it is written, so a secret value
 * resolved from binds never appears at any level.
 */
import pino, { type LevelWithSilent } from 'pino';
import type { Logger } from '../http/logger.js';
import type { Redactor } from '../engine/redact.js';
import { FdLogDestination } from './log-destination.js';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Write to stderr (stdio MCP mode: stdout is reserved for the protocol). */
  stderr?: boolean;
  pretty?: boolean;
  redactor: Redactor;
  /** Test hook: receive every line. */
  destination?: NodeJS.WritableStream;
  /** How long a buffered line may wait for company before it is written (ms, default 200). */
  flushIntervalMs?: number;
}

/** Lines are written in batches of about this many bytes under load (one write instead of one per request). */
const BATCH_BYTES = 4096;
const DEFAULT_FLUSH_INTERVAL_MS = 200;

/**
 * A credential-bearing field (`authorization`, `cookie`, `set-cookie`, `proxy-authorization`) at any depth of
 * a line, with its string value. The runtime never logs request headers; this is the second line of defence
 * for a future log call that would, and costs one `includes` per line that has none.
 */
const CREDENTIAL_FIELD = /"((?:proxy-)?authorization|(?:set-)?cookie)":"(?:[^"\\]|\\.)*"/gi;

export function scrubCredentialFields(line: string): string {
  const lower = line.includes('uthorization') || line.includes('ookie');
  return lower ? line.replace(CREDENTIAL_FIELD, '"$1":"[REDACTED]"') : line;
}

/**
 * pino's ISO `time` field, formatted once per millisecond: under load several lines share a
 * millisecond, and `toISOString` was ~1.5 % of a proxied request. Same text as pino's isoTime.
 */
export function isoTimestamp(now: () => number = Date.now): () => string {
  let lastMs = Number.NaN;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      field = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const fd = options.stderr ? 2 : 1;
  const redactor = options.redactor;
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: isoTimestamp(),
    hooks: {
      // Last line of defence on the whole serialised line: known secret values, then credential fields.
      // (pino's path-based `redact` walked every logged object on every line: 3 % of a proxied request.)
      streamWrite: (line) => scrubCredentialFields(redactor.redact(line)),
    },
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  // Reading process.stdout (or stderr) also makes a pipe non-blocking (libuv): a log reader that falls
  // behind then never blocks the runtime (log-destination.ts keeps the lines and tries again).
  const std = options.stderr ? process.stderr : process.stdout;
  if (options.pretty ?? std.isTTY) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  // Batched: under load, lines leave in ~4 KB writes while requests run, never one write per request. A
  // quiet process writes what it holds within flushIntervalMs, so `tail -f` stays live. No batch is ever
  // written on another thread, so an exit, a signal handler's exit or an uncaught exception writes every
  // line still held (see log-destination.ts; test/e2e/ops-log-flush).
  const destination = new FdLogDestination(fd, { batchBytes: BATCH_BYTES, flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS });
  return pino(base, destination);
}
