/**
 * "Did you mean …?" for schema diagnostics: edit distance, prefixes, and a
 * small table of synonyms that generated capability files use for real keys.
 */

/** Keys (or values) people write for a key the schema knows under another name. */
const SYNONYMS: Record<string, readonly string[]> = {
  auth: ['authentication'],
  title: ['label'],
  id: ['name'],
  calls: ['call'],
  operation: ['call'],
  in: ['placement'],
  name: ['key'],
  header: ['key'],
  token: ['value'],
  value: ['token'],
  params: ['inputParameters'],
  parameters: ['inputParameters'],
  inputs: ['inputParameters'],
  outputs: ['outputParameters'],
  destructiveHint: ['destructive'],
  readOnlyHint: ['readOnly'],
  idempotentHint: ['idempotent'],
  openWorldHint: ['openWorld'],
};

/** Nearest candidate: a known synonym, a case-insensitive or close spelling, or the only candidate the word is a prefix of. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const synonym = SYNONYMS[word]?.find((s) => candidates.includes(s));
  if (synonym !== undefined) return synonym;
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    const d = editDistance(lower, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 4));
  if (best !== undefined && bestDistance <= limit) return best;
  if (lower.length >= 4) {
    const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Advice for discriminator values that are known but unsupported (by construct, then value). */
export const UNSUPPORTED_ADVICE: Record<string, Record<string, string>> = {
  'authentication type': {
    none: 'omit `authentication` for an API that needs no credentials',
    header: 'use `type: apikey` with `key: <header name>` and `placement: header`',
    query: 'use `type: apikey` with `key: <parameter name>` and `placement: query`',
    apiKey: 'the type is spelled `apikey` (all lower case)',
    oauth1: 'OAuth 1.0a request signing is not supported; only static credentials and bearer tokens can be sent',
    hmac: 'request signing (HMAC) is not supported; only static credentials and bearer tokens can be sent',
    'aws-sig-v4': 'AWS Signature V4 request signing is not supported',
    certificate: 'client certificates (mutual TLS) are not supported',
  },
  'request body type': {
    form: 'use `type: formUrlEncoded`',
    multipart: 'use `type: multipartForm`',
    binary: 'binary request bodies are not supported',
  },
};

/** Extra advice for unknown keys that generated files put in the wrong place (by owner kind, then key). */
export const MISPLACED_KEY_ADVICE: Record<string, Record<string, string>> = {
  'consumed operation': {
    path: '`path` belongs to the consumed resource; give an operation with its own path a resource of its own',
  },
};
