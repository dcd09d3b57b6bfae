/**
 * Defaults the capability format implies when a file leaves a value out:
 * where an exposed adapter listens.
 */
export const DEFAULT_REST_PORT = 8080;
export const DEFAULT_MCP_PORT = 9090;
