import type { z } from 'zod';

/**
 * Checks that a schema guards every string of a valid sample: each string value (and each object
 * key) is replaced in turn by a hostile one, and the schema must fail with an issue at that field's
 * path. So a field added later without safeString() fails the test naming it, not the fuzzer in CI.
 */
export const HOSTILE_STRINGS = {
  nul: (v: string) => `${v}\u0000`,
  loneHighSurrogate: (v: string) => `${v}\ud800`,
  loneLowSurrogate: (v: string) => `\udc00${v}`,
  oneMebibyte: () => 'x'.repeat(1 << 20),
} as const;

type Path = (string | number)[];

function leaves(value: unknown, path: Path, out: { path: Path; kind: 'value' | 'key' }[]): void {
  if (typeof value === 'string') out.push({ path, kind: 'value' });
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ path: [...path, k], kind: 'key' });
      leaves(v, [...path, k], out);
    }
  }
}

function replaceAt(root: unknown, path: Path, kind: 'value' | 'key', mutate: (s: string) => string): { value: unknown; expectedPath: Path } {
  const copy = structuredClone(root);
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  let parent = copy as Record<string | number, unknown>;
  for (const p of parentPath) parent = parent[p] as Record<string | number, unknown>;
  if (kind === 'value') {
    parent[last] = mutate(parent[last] as string);
    return { value: copy, expectedPath: path };
  }
  // Rebuild the object to keep key order, with one key renamed.
  const renamed = mutate(String(last));
  const entries = Object.entries(parent).map(([k, v]) => [k === last ? renamed : k, v] as const);
  for (const k of Object.keys(parent)) delete parent[k];
  for (const [k, v] of entries) parent[k] = v;
  return { value: copy, expectedPath: [...parentPath, renamed] };
}

const samePath = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Problems found (empty when every string is guarded); `skip` lists dotted paths to leave alone. */
export function probeStringHygiene(schema: z.ZodType, sample: unknown, opts: { skip?: readonly string[] } = {}): string[] {
  const base = schema.safeParse(sample);
  if (!base.success) return [`the sample itself is invalid: ${JSON.stringify(base.error.issues.slice(0, 3))}`];
  const found: { path: Path; kind: 'value' | 'key' }[] = [];
  leaves(sample, [], found);
  const problems: string[] = [];
  for (const leaf of found) {
    const name = leaf.path.join('.');
    if (opts.skip?.includes(name)) continue;
    for (const [what, mutate] of Object.entries(HOSTILE_STRINGS)) {
      const { value, expectedPath } = replaceAt(sample, leaf.path, leaf.kind, mutate);
      const r = schema.safeParse(value);
      const where = `${name} (${leaf.kind}, ${what})`;
      if (r.success) {
        problems.push(`${where}: accepted`);
        continue;
      }
      const parentPath = expectedPath.slice(0, -1);
      const named = r.error.issues.some(
        (i) =>
          samePath(i.path, expectedPath) ||
          // a strict object names an unknown key at the object; a bad discriminator fails at the union
          (leaf.kind === 'key' && i.code === 'unrecognized_keys' && samePath(i.path, parentPath)) ||
          // …and a non-strict object drops the unknown key, so the renamed field is missing
          (leaf.kind === 'key' && samePath(i.path, leaf.path)) ||
          (leaf.kind === 'value' && expectedPath[expectedPath.length - 1] === 'kind' && samePath(i.path, parentPath)),
      );
      if (!named) problems.push(`${where}: rejected but not at the field (${r.error.issues.map((i) => i.path.join('.')).join(', ')})`);
    }
  }
  return problems;
}
