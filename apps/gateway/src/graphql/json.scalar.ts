import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.NULL:
      return null;
    default:
      throw new TypeError(`JSON: variables inside a JSON literal are not supported (${node.kind})`);
  }
}

/**
 * Any JSON value: task specs, attempts, events and inputs whose shape is the REST API's (validated by
 * the same zod contracts on the way in), so GraphQL and REST carry exactly the same data.
 */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'A JSON value (shape as in the REST API and its OpenAPI schema)',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});
