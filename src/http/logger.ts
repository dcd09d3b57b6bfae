/**
 * The logger type every layer writes to (pino's). Created by the server
 * (src/server/logger.ts); the surfaces only receive one.
 */
export type { Logger } from 'pino';
