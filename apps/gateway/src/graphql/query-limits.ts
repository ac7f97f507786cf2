import { GraphQLError, Kind, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting allowed (a top-level field is depth 1). */
  maxDepth: number;
  /**
   * The same for an operation that only introspects (`__schema`, `__type`): tools' standard
   * introspection query nests type references about 13 deep; the Kairos schema itself is shallow.
   */
  maxIntrospectionDepth: number;
  /** Most fields one operation may select, fragments expanded (a cheap complexity bound). */
  maxFields: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxIntrospectionDepth: 16, maxFields: 400 };

/** Depth and field count of a selection set, fragments expanded (a fragment cycle counts as too deep). */
function measure(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, depth: number, seen: ReadonlySet<string>): { depth: number; fields: number } {
  let maxDepth = depth;
  let fields = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      fields++;
      if (sel.selectionSet) {
        const inner = measure(sel.selectionSet, fragments, depth + 1, seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        fields += inner.fields;
      } else maxDepth = Math.max(maxDepth, depth + 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(sel.selectionSet, fragments, depth, seen);
      maxDepth = Math.max(maxDepth, inner.depth);
      fields += inner.fields;
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      if (!frag) continue; // unknown fragments are reported by graphql's own rules
      if (seen.has(name)) return { depth: Infinity, fields: Infinity };
      const inner = measure(frag.selectionSet, fragments, depth, new Set([...seen, name]));
      maxDepth = Math.max(maxDepth, inner.depth);
      fields += inner.fields;
    }
  }
  return { depth: maxDepth, fields };
}

/** The limit errors of a parsed document (depth first: a too-deep query is usually also wide). */
export function queryLimitErrors(document: DocumentNode, limits: QueryLimits = DEFAULT_QUERY_LIMITS): GraphQLError[] {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const errors: GraphQLError[] = [];
  for (const op of document.definitions) {
    if (op.kind !== Kind.OPERATION_DEFINITION) continue;
    const { depth, fields } = measure(op.selectionSet, fragments, 0, new Set());
    const name = op.name?.value ?? 'anonymous';
    const introspection = op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
    const maxDepth = introspection ? limits.maxIntrospectionDepth : limits.maxDepth;
    if (depth > maxDepth) {
      errors.push(new GraphQLError(`query depth: operation ${name} nests ${depth === Infinity ? 'without end (fragment cycle)' : depth} levels; the limit is ${maxDepth}`, { nodes: [op], extensions: { code: 'QUERY_TOO_DEEP', limit: maxDepth } }));
    } else if (fields > limits.maxFields) {
      errors.push(new GraphQLError(`query complexity: operation ${name} selects ${fields} fields; the limit is ${limits.maxFields}`, { nodes: [op], extensions: { code: 'QUERY_TOO_COMPLEX', limit: limits.maxFields } }));
    }
  }
  return errors;
}

/** The same limits as a validation rule (HTTP queries and mutations; subscriptions call queryLimitErrors). */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    for (const e of queryLimitErrors(context.getDocument(), limits)) context.reportError(e);
    return {};
  };
}
