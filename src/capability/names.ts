/**
 * How the runtime matches names its authors spelled differently (issue 12,
 * dialect mode): generators lower-case or kebab-case one side (`{deviceid}`,
 * `{page-id}`) and keep the other (`rest.deviceId`, `{page_id}`). Two names are
 * "loosely equal" when they agree up to letter case and `-` / `_` / `.`
 * separators; a loose match is used only when it is the single candidate, so
 * an ambiguous spelling is never guessed. The engine and the lint share this
 * module so what validates is exactly what executes.
 */

/** The spelling-insensitive form of a name (`Page_Id` → `pageid`). */
export function looseKey(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

/** Names equal up to letter case and `-` / `_` / `.` separators (`objectType` ~ `objecttype` ~ `object_type`). */
export function looselyEqual(a: string, b: string): boolean {
  return looseKey(a) === looseKey(b);
}

/**
 * The one candidate loosely equal to `wanted` (itself when present), or
 * undefined when none or several match.
 */
export function uniqueLooseMatch(wanted: string, candidates: Iterable<string>): string | undefined {
  const key = looseKey(wanted);
  let found: string | undefined;
  for (const candidate of candidates) {
    if (candidate === wanted) return candidate;
    if (looseKey(candidate) !== key) continue;
    if (found !== undefined && found !== candidate) return undefined;
    found = candidate;
  }
  return found;
}

/** `record[name]`, else the value under the single key loosely equal to `name`. */
export function looseGet<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  const exact = record[name];
  if (exact !== undefined) return exact;
  const key = uniqueLooseMatch(name, Object.keys(record));
  return key === undefined ? undefined : record[key];
}
