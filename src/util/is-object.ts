/**
 * The one "is this a plain JSON object" test (not null, not an array). Lives in
 * the lowest layer so every other layer can import it.
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
