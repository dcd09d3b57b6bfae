/**
 * Structured logs (pino): JSON lines, pretty when stdout is a terminal. Every
 * string that reaches a log line passes through the shared Redactor, so a
 * secret value resolved from binds never appears at any level.
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
}

export function createLogger(options: LoggerOptions): Logger {
  const fd = options.stderr ? 2 : 1;
  const usePretty = options.pretty ?? (!options.destination && Boolean((options.stderr ? process.stderr : process.stdout).isTTY));
  const redactor = options.redactor;
  const base: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.authorization', '*.headers.authorization', '*.cookie', 'headers.authorization'], censor: '[REDACTED]' },
    hooks: {
      // Last line of defence: scrub known secret values from the whole serialised line.
      streamWrite: (line) => redactor.redact(line),
    },
  };
  if (options.destination) return pino(base, options.destination as pino.DestinationStream);
  if (usePretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  // Asynchronous: lines are buffered and written while requests run (under load,
  // many lines leave in one write), never one blocking write per request. pino
  // registers an exit hook on this destination that writes what is buffered on
  // exit, a signal handler's exit and an uncaught exception (test/e2e/ops-log-flush).
  return pino(base, pino.destination({ fd, sync: false }));
}
