/**
 * A value worked out once per (adapter, operation) label pair and then looked
 * up on every request. Nested maps rather than one map keyed by a joined
 * string: the labels are long-lived strings whose hashes V8 keeps, while a
 * joined key is a new string to build and hash on every request.
 */
export class LabelMemo<T> {
  private readonly byAdapter = new Map<string, Map<string | undefined, T>>();

  get(adapter: string, operation: string | undefined, make: () => T): T {
    let byOperation = this.byAdapter.get(adapter);
    if (!byOperation) {
      byOperation = new Map();
      this.byAdapter.set(adapter, byOperation);
    }
    let value = byOperation.get(operation);
    if (value === undefined && !byOperation.has(operation)) {
      value = make();
      byOperation.set(operation, value);
    }
    return value as T;
  }
}
