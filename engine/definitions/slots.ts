import { resolveRef } from './schema-ref.js';
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };

/**
 * Everything about JSONata slots comes from the definition schema: which fields are
 * expressions (`x-jsonata`), their slot names (`x-slot`) and what they receive (`x-bindings`).
 */
export interface SlotSpec {
  slot: string;
  bindings: readonly string[];
  /** Schema path pattern; `*` matches any key. */
  pattern: readonly string[];
}

type SchemaNode = Record<string, unknown>;

/** `unified.*.*.*.method.expression` → `method.expression`; `…response_mapping` → `response_mapping`. */
function slotNameFromPattern(pattern: readonly string[]): string {
  const last = pattern[pattern.length - 1] ?? '';
  return last === 'expression' && pattern.length > 1 ? `${pattern[pattern.length - 2]}.expression` : last;
}

function collect(root: SchemaNode, node: SchemaNode, pattern: string[], out: SlotSpec[], seen: Set<SchemaNode>): void {
  const resolved = resolveRef(node, root);
  if (resolved['x-jsonata'] === true) {
    out.push({
      slot: String(resolved['x-slot'] ?? slotNameFromPattern(pattern)),
      bindings: (resolved['x-bindings'] as string[] | undefined) ?? [],
      pattern: [...pattern],
    });
    return;
  }
  if (seen.has(resolved) || pattern.length > 12) return;
  seen.add(resolved);
  const properties = resolved.properties as Record<string, SchemaNode> | undefined;
  if (properties) for (const [key, child] of Object.entries(properties)) collect(root, child, [...pattern, key], out, seen);
  const items = resolved.items;
  if (items && typeof items === 'object') collect(root, items as SchemaNode, [...pattern, '*'], out, seen);
  const additional = resolved.additionalProperties;
  if (additional && typeof additional === 'object') collect(root, additional as SchemaNode, [...pattern, '*'], out, seen);
  for (const keyword of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = resolved[keyword] as SchemaNode[] | undefined;
    if (branches) for (const branch of branches) collect(root, branch, pattern, out, seen);
  }
  seen.delete(resolved);
}

function discoverSlots(): SlotSpec[] {
  const root = integrationSchema as unknown as SchemaNode;
  const out: SlotSpec[] = [];
  collect(root, root, [], out, new Set());
  // The same pattern can be reached through several oneOf branches.
  const unique = new Map<string, SlotSpec>();
  for (const spec of out) unique.set(spec.pattern.join('.'), spec);
  return [...unique.values()];
}

export const slotSpecs: readonly SlotSpec[] = discoverSlots();

/** slot name → the bindings it receives. */
export const slotBindings: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.fromEntries(slotSpecs.map((s) => [s.slot, s.bindings])),
);

function matches(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((part, i) => part === '*' || part === String(path[i]));
}

export interface FoundSlot {
  spec: SlotSpec;
  path: (string | number)[];
  source: string;
}

/**
 * The slot specs by the last key of their pattern (none ends in `*`), in slotSpecs order: a string
 * is only matched against the few patterns that end in its own key. A definition has thousands
 * of strings, and trying all 31 patterns on each was a tenth of a cold load.
 */
const specsByLastKey: ReadonlyMap<string, readonly SlotSpec[]> = (() => {
  const byKey = new Map<string, SlotSpec[]>();
  for (const spec of slotSpecs) {
    const last = spec.pattern[spec.pattern.length - 1]!;
    if (last === '*') throw new Error(`slot pattern ${spec.pattern.join('.')} ends in *`);
    const list = byKey.get(last) ?? [];
    list.push(spec);
    byKey.set(last, list);
  }
  return byKey;
})();

/** Finds every JSONata expression in a (schema-valid) definition or override. */
export function findExpressions(data: unknown, prefix: readonly string[] = []): FoundSlot[] {
  const found: FoundSlot[] = [];
  // One path, grown and shrunk as the walk goes; copied only for a string in a slot.
  const path: (string | number)[] = [...prefix];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      const candidates = specsByLastKey.get(String(path[path.length - 1]));
      const spec = candidates?.find((s) => matches(s.pattern, path));
      if (spec) found.push({ spec, path: [...path], source: value });
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        walk(value[i]);
        path.pop();
      }
    } else if (value && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        path.push(key);
        walk((value as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  walk(data);
  return found;
}

/** Picks exactly the bindings a slot receives from everything the pipeline knows at that point. */
export function pickBindings(slot: string, available: Record<string, unknown>): Record<string, unknown> {
  const names = slotBindings[slot];
  if (!names) throw new Error(`unknown slot ${slot}`);
  const input: Record<string, unknown> = {};
  for (const name of names) input[name] = available[name];
  return input;
}
