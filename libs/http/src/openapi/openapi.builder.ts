import { z } from 'zod';
import type { ConveyorConfig } from '@conveyor/config';
import type { SchemaSource } from '../validation/zod-validation.pipe';
import { ErrorBodySchema } from './error-body.schema';
import type { RouteDescriptor } from './route.scanner';

export type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** The parts of an OpenAPI 3.1 document Conveyor writes (https://spec.openapis.org/oas/v3.1.0). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: OpenApiInfo;
  jsonSchemaDialect: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  tags: Array<{ name: string }>;
}

const KEY_SECURITY = [{ bearer: [] }, { apiKey: [] }];

/**
 * Builds the OpenAPI 3.1 document from the routes Nest registered and the zod schemas they validate with: each
 * body and query schema is the one `@ValidBody`/`@ValidQuery` parse requests with, turned into JSON Schema by zod
 * itself (`z.toJSONSchema`, draft 2020-12, which OpenAPI 3.1 uses as is), so the document cannot drift from the
 * validation. Answers come from `@ApiResponse`; every route may also answer OpenAI's error body.
 */
export function buildOpenApiDocument(routes: readonly RouteDescriptor[], info: OpenApiInfo, config: ConveyorConfig): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { Error: toJsonSchema(ErrorBodySchema, 'output') };
  const resolve = (source: SchemaSource, io: 'input' | 'output', name: string): JsonSchema =>
    hoistDefs(toJsonSchema(typeof source === 'function' && !('safeParse' in source) ? source(config) : (source as z.ZodType), io), schemas, name);
  const paths: OpenApiDocument['paths'] = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...(route.inputs.query ? queryParameters(resolve(route.inputs.query, 'input', `${route.operationId}_query`)) : []),
    ];
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      tags: [route.tag],
      ...(route.summary && { summary: route.summary }),
      ...(parameters.length > 0 && { parameters }),
      ...(route.inputs.body && {
        requestBody: { required: true, content: { 'application/json': { schema: resolve(route.inputs.body, 'input', `${route.operationId}_body`) } } },
      }),
      responses: responsesOf(route, resolve),
      security: route.auth === 'public' ? [] : route.auth === 'key' ? KEY_SECURITY : [...KEY_SECURITY, { apiKeyQuery: [] }],
    };
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key', description: 'Stream routes only, for EventSource, which cannot set headers.' },
      },
    },
    tags: [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name })),
  };
}

function responsesOf(route: RouteDescriptor, resolve: (source: SchemaSource, io: 'output', name: string) => JsonSchema): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const r of route.responses) {
    const content = r.schema
      ? { [r.contentType ?? 'application/json']: { schema: resolve(r.schema, 'output', `${route.operationId}_${r.status}`) } }
      : undefined;
    responses[String(r.status)] = { description: r.description, ...(content ? { content } : r.contentType ? { content: { [r.contentType]: {} } } : {}) };
  }
  if (route.responses.length === 0) responses[String(route.defaultStatus)] = { description: 'Success.' };
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  if (route.auth !== 'public' && !responses['401']) responses['401'] = { description: 'No API key, or an unknown one.', ...error };
  responses.default = { description: "An error, in OpenAI's shape.", ...error };
  return responses;
}

/** One parameter per property of a query object's schema. */
function queryParameters(schema: JsonSchema): Array<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: required.has(name), schema: property }));
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // Custom checks (refinements, z.custom) have no JSON Schema form: they are documented by their messages instead.
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return json;
}

/**
 * Makes a schema's references resolvable inside the document: its own `$defs` (shared or recursive parts) move
 * into the components, and a schema that refers to itself (`$ref: "#"`, which in the document would mean the
 * document) becomes a component of its own, named `name`, referred to from where it was.
 */
function hoistDefs(schema: JsonSchema, components: Record<string, JsonSchema>, name: string): JsonSchema {
  const { $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const selfRef = JSON.stringify(rest).includes('"$ref":"#"');
  if (!$defs && !selfRef) return schema;
  const target = (ref: string) => (ref === '#' ? `#/components/schemas/${name}` : ref.replace('#/$defs/', '#/components/schemas/'));
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? target(v) : rewrite(v)]));
  };
  for (const [defName, def] of Object.entries($defs ?? {})) components[defName] = rewrite(def) as JsonSchema;
  if (!selfRef) return rewrite(rest) as JsonSchema;
  components[name] = rewrite(rest) as JsonSchema;
  return { $ref: `#/components/schemas/${name}` };
}
