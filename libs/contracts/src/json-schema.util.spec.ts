import { jsonSchemaProblem } from './json-schema.util';

describe('jsonSchemaProblem', () => {
  it('accepts what schema generators emit, whichever draft they name, with keywords it does not check', () => {
    for (const schema of [
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { n: { type: 'number', exclusiveMinimum: 0 } },
        additionalProperties: false,
      },
      // draft-04's boolean exclusiveMinimum: no draft-07 or 2020-12 meta-schema allows it, and Ajv has no draft-04 meta-schema at all.
      { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } },
      { type: 'object', properties: { n: { type: 'string', nullable: true, 'x-order': 1 } } },
    ]) {
      expect(jsonSchemaProblem(schema)).toBeNull();
    }
  });

  it('names the path of the first problem it finds', () => {
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'text' }] } } })).toBe(
      'properties.a.anyOf[1].type must be one of object, array, string, number, integer, boolean, null (or a list of them)',
    );
  });

  it('refuses a hostile nesting with a message, not a stack overflow', () => {
    let schema: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < 20_000; i += 1) schema = { type: 'object', properties: { a: schema } };
    expect(jsonSchemaProblem(schema)).toMatch(/nests deeper than 32 levels$/);
  });
});
