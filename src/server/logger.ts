/**
 * Structured logs (pino): JSON lines, pretty when stdout is a terminal. Every
 * line passes through the shared Redactor as it is written, so a secret value
 * resolved from binds never appears at any level.
 */
import pino, { type LevelWithSilent } from 'pino';
import type { Logger } from '../http/logger.js';
import type { Redactor } from '../engine/redact.js';

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
  const usePretty = options.pretty ?? (!options.destination && Boolean((options.stderr ? process.stderr : process.stdout).isTTY));
  const redactor = options.redactor;
  // Ticks of the flush timer since the last line: a flush that lands during a write is skipped by the
  // destination, so the timer flushes on the two ticks after the last line, not just one.
  let idleTicks = 0;
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: isoTimestamp(),
    hooks: {
      // Last line of defence on the whole serialised line: known secret values, then credential fields.
      // (pino's path-based `redact` walked every logged object on every line: 3 % of a proxied request.)
      streamWrite: (line) => {
        idleTicks = 0;
        return scrubCredentialFields(redactor.redact(line));
      },
    },
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (usePretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  // Asynchronous and batched: under load, lines leave in ~4 KB writes while requests run, never one
  // write (and one thread-pool round trip) per request. A quiet process writes what it holds within
  // flushIntervalMs, so `tail -f` stays live. pino registers an exit hook on this destination that
  // writes what is buffered on exit, a signal handler's exit and an uncaught exception
  // (test/e2e/ops-log-flush).
  const destination = pino.destination({ fd, sync: false, minLength: BATCH_BYTES });
  const timer = setInterval(() => {
    if (idleTicks++ >= 2) return;
    try {
      destination.flush();
    } catch {
      clearInterval(timer); // destroyed (closed at exit): nothing left to write
    }
  }, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
  timer.unref();
  destination.on('close', () => clearInterval(timer));
  return pino(base, destination);
}
