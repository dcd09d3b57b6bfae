export declare const conformanceDir: string;
export declare const capabilitiesDir: string;
export declare const expectedFailures: string;
export declare const NODE20_SUITE_VERSION: string;
export declare const pinnedSuite: string;
export declare const pinnedInspectorCli: string;
export declare const NODE24_SUITE_VERSION: string;
export declare const pinnedNode24: string;
export declare const pinnedNode24Suite: string;

export interface MediaServer {
  url: string;
  close(): Promise<void>;
}
export declare function startMediaServer(): Promise<MediaServer>;

export interface SuiteOptions {
  url: string;
  version?: string;
  node24?: boolean;
  suite?: 'active' | 'all' | 'pending';
  scenario?: string;
  outputDir?: string;
  echo?: boolean;
  timeoutMs?: number;
  /** Expected-failures file; `null` runs without a baseline. */
  baseline?: string | null;
}
export interface SuiteRun {
  code: number;
  output: string;
  /** npx could not fetch an unpinned version (never true for the pinned one). */
  fetchFailed: boolean;
  summary: Record<string, { ok: boolean; passed: number; failed: number }>;
}
export declare function runSuite(options: SuiteOptions): Promise<SuiteRun>;
export declare function summarize(output: string): SuiteRun['summary'];
