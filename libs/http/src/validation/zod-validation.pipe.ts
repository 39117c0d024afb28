import { Body, Inject, Injectable, Query, type PipeTransform, type Type } from '@nestjs/common';
import type { z } from 'zod';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { parseOrThrow } from './zod-validation.util';

/** A schema, or a schema built from the validated config (limits such as MAX_TOKENS_CAP). */
export type SchemaSource<S extends z.ZodType = z.ZodType> = S | ((config: ConveyorConfig) => S);

/** Where a route's input schemas are recorded (method metadata), so the OpenAPI document is built from them. */
export const ROUTE_INPUT_SCHEMAS = 'conveyor:route-input-schemas';
export interface RouteInputSchemas {
  body?: SchemaSource;
  query?: SchemaSource;
}

/** Validates one input of a request against a zod schema: a 400 naming the first offending field, or the parsed value. */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value, this.what);
  }
}

/** A pipe class whose schema depends on the config: Nest builds it with the config injected. */
function configuredPipe(source: (config: ConveyorConfig) => z.ZodType, what: string): Type<PipeTransform> {
  @Injectable()
  class ConfiguredZodPipe extends ZodValidationPipe<z.ZodType> {
    constructor(@Inject(CONVEYOR_CONFIG) config: ConveyorConfig) {
      super(source(config), what);
    }
  }
  return ConfiguredZodPipe;
}

function recordSchema(target: object, key: string | symbol | undefined, input: keyof RouteInputSchemas, source: SchemaSource): void {
  if (key === undefined) return;
  const method = (target as Record<string | symbol, object>)[key]!;
  const known: RouteInputSchemas = Reflect.getMetadata(ROUTE_INPUT_SCHEMAS, method) ?? {};
  Reflect.defineMetadata(ROUTE_INPUT_SCHEMAS, { ...known, [input]: source }, method);
}

function pipeFor(source: SchemaSource, what: string): PipeTransform | Type<PipeTransform> {
  return typeof source === 'function' && !('safeParse' in source) ? configuredPipe(source, what) : new ZodValidationPipe(source as z.ZodType, what);
}

/** `@ValidBody(Schema) body: z.infer<typeof Schema>`: the request body, validated (and recorded for the API document). */
export function ValidBody(source: SchemaSource): ParameterDecorator {
  return (target, key, index) => {
    recordSchema(target, key, 'body', source);
    Body(pipeFor(source, 'request body'))(target, key, index);
  };
}

/** `@ValidQuery(Schema) query: z.infer<typeof Schema>`: the query string, validated (and recorded for the API document). */
export function ValidQuery(source: SchemaSource): ParameterDecorator {
  return (target, key, index) => {
    recordSchema(target, key, 'query', source);
    Query(pipeFor(source, 'query string'))(target, key, index);
  };
}
