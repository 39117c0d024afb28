import { SetMetadata } from '@nestjs/common';
import type { SchemaSource } from '../validation/zod-validation.pipe';

/** Method metadata: the documented answers of a route, by status (the API document reads them). */
export const ROUTE_RESPONSES = 'conveyor:route-responses';
/** Method metadata: the one-line summary of a route. Class metadata: the tag its routes are grouped under. */
export const ROUTE_SUMMARY = 'conveyor:route-summary';
export const CONTROLLER_TAG = 'conveyor:controller-tag';

export interface RouteResponse {
  status: number;
  description: string;
  /** The body's zod schema (the same kind of schema the presenters' output types come from); none for an empty body. */
  schema?: SchemaSource;
  /** `application/json` unless said otherwise (`text/event-stream`, `application/x-ndjson`, `text/plain`). */
  contentType?: string;
}

/**
 * `@ApiResponse({ status: 200, description, schema })`: records one documented answer of a route. Documentation
 * only: what a route answers is decided by its code, and its presenters' return types are `z.infer` of the same schema.
 */
export function ApiResponse(response: RouteResponse): MethodDecorator {
  return (target, key) => {
    const method = (target as Record<string | symbol, object>)[key]!;
    const known: RouteResponse[] = Reflect.getMetadata(ROUTE_RESPONSES, method) ?? [];
    Reflect.defineMetadata(ROUTE_RESPONSES, [...known.filter((r) => r.status !== response.status), response], method);
  };
}

/** The route's summary in the API document. */
export const ApiSummary = (summary: string) => SetMetadata(ROUTE_SUMMARY, summary);

/** The tag a controller's routes are grouped under in the API document (by default, the controller's name). */
export const ApiTag = (tag: string) => SetMetadata(CONTROLLER_TAG, tag);
