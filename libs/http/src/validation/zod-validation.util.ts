import type { z } from 'zod';
import { ConveyorException, ErrorCode } from '../errors/conveyor.exception';

/** `messages[0].role` from zod's path ["messages", 0, "role"]. */
export function formatParam(path: ReadonlyArray<PropertyKey>): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}

/** Parses input with a schema, or throws a 400 naming the first offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConveyorException(ErrorCode.InvalidRequest, `The ${what} must be a JSON object.`);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = formatParam(issue.path);
  const message = valueAt(input, issue.path) === undefined ? 'is required' : issue.message;
  throw new ConveyorException(ErrorCode.InvalidRequest, param ? `Invalid '${param}': ${message}.` : `Invalid ${what}: ${message}.`, param);
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
