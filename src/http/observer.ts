/**
 * What a surface reports about each answered request: fed to metrics and to
 * the request log by the server. Label values are bounded (adapter namespace,
 * operation or tool name, or a fixed word for unmatched requests): never a raw
 * path or caller input.
 */
export interface RequestEvent {
  surface: 'rest' | 'mcp';
  adapter: string;
  operation: string;
  status: number;
  durationMs: number;
  upstreamStatus?: number;
  upstreamMs?: number;
  requestId: string;
  error?: string;
}

export type RequestObserver = (event: RequestEvent) => void;
