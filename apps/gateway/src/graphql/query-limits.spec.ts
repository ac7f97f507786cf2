import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { DEFAULT_QUERY_LIMITS, queryLimitErrors, queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Node { id: ID, child: Node, items: [Node] }
  type Query { node: Node }
`);
const run = (q: string, maxDepth = 3, maxFields = 10) => validate(schema, parse(q), [queryLimitsRule({ maxDepth, maxIntrospectionDepth: 16, maxFields })]).map((e) => [e.extensions.code, e.message]);

describe('queryLimitsRule (depth and complexity limits)', () => {
  it('accepts a query at the depth limit and refuses one level more, naming the limit', () => {
    expect(run('{ node { child { id } } }')).toEqual([]);
    expect(run('query Deep { node { child { child { id } } } }')).toEqual([['QUERY_TOO_DEEP', 'query depth: operation Deep nests 4 levels; the limit is 3']]);
  });

  it('counts depth through named and inline fragments, and refuses a fragment cycle', () => {
    expect(run('{ node { ...F } } fragment F on Node { child { child { id } } }')[0][0]).toBe('QUERY_TOO_DEEP');
    expect(run('{ node { ... on Node { child { child { id } } } } }')[0][0]).toBe('QUERY_TOO_DEEP');
    // graphql's own NoFragmentCycles rule is not in this list: ours must not loop forever on its own.
    expect(run('{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }', 50, 1000)[0][0]).toBe('QUERY_TOO_DEEP');
  });

  it("lets tools' standard introspection query through the defaults, but not a deep query mixing data and introspection", () => {
    expect(queryLimitErrors(parse(getIntrospectionQuery()))).toEqual([]);
    const deepTypeRef = '__type(name: "Node") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }';
    expect(queryLimitErrors(parse(`{ node { id } ${deepTypeRef} }`), DEFAULT_QUERY_LIMITS).map((e) => e.extensions.code)).toEqual(['QUERY_TOO_DEEP']);
  });

  it('refuses an operation selecting more fields than allowed (aliases count)', () => {
    const wide = `{ node { ${Array.from({ length: 10 }, (_, i) => `a${i}: id`).join(' ')} } }`;
    expect(run(wide)).toEqual([['QUERY_TOO_COMPLEX', 'query complexity: operation anonymous selects 11 fields; the limit is 10']]);
  });
});
