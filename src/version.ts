/**
 * The runtime's version, read once from package.json so there is one source
 * of truth (the CLI's --version, MCP serverInfo and /status all show it).
 */
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const RUNTIME_VERSION: string = packageJson.version;
