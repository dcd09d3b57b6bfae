/**
 * A small, reviewable overlay applied to an OpenAPI document before import:
 * what a vendor's document gets wrong or leaves out (a parameter the API
 * requires but the document marks optional, a header it forgot, an operation
 * without an operationId, operations to leave out). Patches never touch
 * shared objects: a dereferenced document reuses one parameter object across
 * operations, so a patched parameter is copied first.
 */
import type { OpenApiObject } from './document.js';

export interface OperationSelector {
  /** operationIds or `METHOD /path`; `'*'` = every operation of the document. */
  operations: '*' | string[];
}

export interface ParameterPatch extends OperationSelector {
  name: string;
  in: string;
  set: Record<string, unknown>;
}

export interface ParameterAddition extends OperationSelector {
  parameter: Record<string, unknown>;
}

export interface BodyPatch extends OperationSelector {
  /** Replaces `requestBody.required`. */
  required?: boolean;
}

export interface DocumentOverlay {
  exclude?: string[];
  operationIds?: Record<string, string>;
  parameters?: ParameterPatch[];
  addParameters?: ParameterAddition[];
  bodies?: BodyPatch[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'];

interface OperationRef {
  key: string;
  id?: string;
  op: Record<string, unknown>;
  item: Record<string, unknown>;
  method: string;
  path: string;
}

function operationsOf(doc: OpenApiObject): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) {
      const op = item?.[method] as Record<string, unknown> | undefined;
      if (op) out.push({ key: `${method.toUpperCase()} ${path}`, id: typeof op.operationId === 'string' ? op.operationId : undefined, op, item, method, path });
    }
  }
  return out;
}

/** Applies the overlay in place; returns the selectors that matched nothing (a stale overlay is an error to its caller). */
export function applyOverlay(doc: OpenApiObject, overlay: DocumentOverlay): string[] {
  const unmatched: string[] = [];
  const select = (selector: OperationSelector, what: string): OperationRef[] => {
    const all = operationsOf(doc);
    if (selector.operations === '*') return all;
    const found = all.filter((o) => (selector.operations as string[]).includes(o.key) || (o.id !== undefined && (selector.operations as string[]).includes(o.id)));
    for (const wanted of selector.operations) if (!found.some((o) => o.key === wanted || o.id === wanted)) unmatched.push(`${what}: ${wanted}`);
    return found;
  };
  for (const [key, id] of Object.entries(overlay.operationIds ?? {})) {
    const target = operationsOf(doc).find((o) => o.key === key);
    if (!target) unmatched.push(`operationIds: ${key}`);
    else target.op.operationId = id;
  }
  for (const wanted of overlay.exclude ?? []) {
    const target = operationsOf(doc).find((o) => o.key === wanted || o.id === wanted);
    if (!target) unmatched.push(`exclude: ${wanted}`);
    else delete target.item[target.method];
  }
  for (const patch of overlay.parameters ?? []) {
    for (const ref of select(patch, `parameter ${patch.in}:${patch.name}`)) {
      let hit = false;
      for (const holder of [ref.op, ref.item]) {
        const list = holder.parameters as Record<string, unknown>[] | undefined;
        if (!Array.isArray(list)) continue;
        const index = list.findIndex((p) => p?.name === patch.name && p?.in === patch.in);
        if (index < 0) continue;
        // Copy into the operation (the path-level or shared object stays as it was for the others).
        const patched = { ...list[index], ...patch.set };
        if (holder === ref.op) list[index] = patched;
        else ref.op.parameters = [...((ref.op.parameters as unknown[]) ?? []), patched];
        hit = true;
        break;
      }
      if (!hit && patch.operations !== '*') unmatched.push(`parameter ${patch.in}:${patch.name} on ${ref.key}`);
    }
  }
  for (const addition of overlay.addParameters ?? []) {
    for (const ref of select(addition, `added parameter ${String(addition.parameter.name)}`)) {
      const list = ((ref.op.parameters as Record<string, unknown>[] | undefined) ?? []).filter((p) => !(p.name === addition.parameter.name && p.in === addition.parameter.in));
      ref.op.parameters = [...list, { ...addition.parameter }];
    }
  }
  for (const patch of overlay.bodies ?? []) {
    for (const ref of select(patch, 'body')) {
      if (ref.op.requestBody && patch.required !== undefined) ref.op.requestBody = { ...(ref.op.requestBody as object), required: patch.required };
    }
  }
  return unmatched;
}
