import { z } from 'zod';
import type { ConveyorConfig } from '@conveyor/config';
import { buildOpenApiDocument } from './openapi.builder';
import type { RouteDescriptor } from './route.scanner';
import { validateOpenApi } from '../../../../test/support/openapi-validator.util';

const config = { limits: { maxTokensCap: 77, maxMessages: 3 } } as ConveyorConfig;
const INFO = { title: 'Test', version: '1' };

const route = (overrides: Partial<RouteDescriptor>): RouteDescriptor => ({
  method: 'get',
  path: '/x',
  tag: 'X',
  operationId: 'X_get',
  inputs: {},
  responses: [],
  defaultStatus: 200,
  auth: 'key',
  ...overrides,
});

type Tree = z.infer<typeof Tree>;
const Tree: z.ZodType<{ name: string; children: Tree[] }> = z.object({
  name: z.string(),
  get children() {
    return z.array(Tree);
  },
});

const ROUTES: RouteDescriptor[] = [
  route({
    method: 'post',
    path: '/items/:itemId',
    operationId: 'Items_create',
    summary: 'Create',
    inputs: { body: (c: ConveyorConfig) => z.object({ n: z.number().max(c.limits.maxTokensCap), note: z.string().optional() }) },
    responses: [{ status: 202, description: 'Queued.', schema: z.object({ id: z.string() }) }],
    defaultStatus: 202,
  }),
  route({
    path: '/items',
    operationId: 'Items_list',
    inputs: { query: z.object({ limit: z.coerce.number().int().default(20), after: z.string().optional() }) },
  }),
  route({ path: '/health', tag: 'Health', operationId: 'Health_get', auth: 'public' }),
  route({
    path: '/stream/:id',
    operationId: 'Stream_get',
    auth: 'key-or-query',
    responses: [{ status: 200, description: 'SSE', contentType: 'text/event-stream' }],
  }),
  route({ path: '/trees', operationId: 'Trees_get', responses: [{ status: 200, description: 'A tree.', schema: Tree }] }),
];

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(ROUTES, INFO, config);

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(await validateOpenApi(doc)).toEqual({ valid: true, version: '3.1' });
  });

  it("turns the validating schemas into JSON Schema, resolving the config's limits", () => {
    const create = doc.paths['/items/{itemId}']!.post as any;
    expect(create.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { n: { type: 'number', maximum: 77 }, note: { type: 'string' } },
      required: ['n'],
    });
    expect(create.parameters).toEqual([{ name: 'itemId', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(create.responses['202']).toEqual({
      description: 'Queued.',
      content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false } } },
    });
    expect(create.summary).toBe('Create');
  });

  it('gives each query property its own parameter, optional where the schema has a default', () => {
    expect((doc.paths['/items']!.get as any).parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', default: 20, minimum: expect.any(Number), maximum: expect.any(Number) } },
      { name: 'after', in: 'query', required: false, schema: { type: 'string' } },
    ]);
  });

  it('states how each route authenticates', () => {
    expect((doc.paths['/health']!.get as any).security).toEqual([]);
    expect((doc.paths['/items']!.get as any).security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect((doc.paths['/stream/{id}']!.get as any).security).toEqual([{ bearer: [] }, { apiKey: [] }, { apiKeyQuery: [] }]);
    expect((doc.paths['/items']!.get as any).responses['401']).toBeDefined();
    expect((doc.paths['/health']!.get as any).responses['401']).toBeUndefined();
  });

  it("documents OpenAI's error body once and refers to it from every route", () => {
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
    for (const methods of Object.values(doc.paths))
      for (const op of Object.values(methods) as any[])
        expect(op.responses.default.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  it('moves the definitions of a recursive schema into the components, where its references point', () => {
    const schema = (doc.paths['/trees']!.get as any).responses['200'].content['application/json'].schema;
    expect(JSON.stringify(schema)).not.toContain('#/$defs/');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.filter((name) => name !== 'Error').length).toBeGreaterThan(0);
    for (const name of refs) expect(doc.components.schemas[name]).toBeDefined();
  });
});
