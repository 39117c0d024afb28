/** The type names JSON Schema (draft 2020-12 and earlier) allows in `type`. */
const JSON_TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'] as const;
const SCHEMA_VALUES = ['additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'] as const;
/** Deeper than any real tool signature; bounds the recursion on hostile input. */
const MAX_DEPTH = 32;

/**
 * A light, structural check that a value is a JSON Schema, as a tool's `parameters` must be. It does not
 * validate against a meta-schema (Ajv's would turn away schemas that generators emit and providers take; the
 * reasons are in docs/architecture.md, "Libraries we rely on"); it rejects what no provider could read: a schema that is not an object (or, nested, a boolean), an unknown `type`,
 * `properties` that is not a map of schemas, `required` that is not a list of distinct strings, an `enum` that is
 * not a non-empty list, and subschemas (`items`, `anyOf`, …) that are not schemas. Answers the first problem
 * found, with the JSON path below the checked value (`properties.city.type`), or null when it looks valid.
 */
export function jsonSchemaProblem(schema: unknown, path = '', depth = 0): string | null {
  if (depth > 0 && typeof schema === 'boolean') return null;
  if (!isPlainObject(schema)) return at(path, 'must be a JSON Schema object');
  if (depth > MAX_DEPTH) return at(path, `nests deeper than ${MAX_DEPTH} levels`);
  const s = schema;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.length === 0 || !types.every((t) => typeof t === 'string' && JSON_TYPES.has(t))) {
      return at(join(path, 'type'), `must be one of ${[...JSON_TYPES].join(', ')} (or a list of them)`);
    }
  }
  if (s.required !== undefined) {
    const required = s.required;
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string') || new Set(required).size !== required.length) {
      return at(join(path, 'required'), 'must be an array of distinct property names');
    }
  }
  if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) return at(join(path, 'enum'), 'must be a non-empty array');
  if (s.description !== undefined && typeof s.description !== 'string') return at(join(path, 'description'), 'must be a string');
  for (const key of SCHEMA_MAPS) {
    const map = s[key];
    if (map === undefined) continue;
    if (!isPlainObject(map)) return at(join(path, key), 'must be an object mapping names to schemas');
    for (const [name, sub] of Object.entries(map)) {
      const problem = jsonSchemaProblem(sub, join(join(path, key), name), depth + 1);
      if (problem) return problem;
    }
  }
  for (const key of SCHEMA_LISTS) {
    const list = s[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) return at(join(path, key), 'must be a non-empty array of schemas');
    for (const [i, sub] of list.entries()) {
      const problem = jsonSchemaProblem(sub, `${join(path, key)}[${i}]`, depth + 1);
      if (problem) return problem;
    }
  }
  for (const key of ['items', ...SCHEMA_VALUES] as const) {
    if (s[key] === undefined) continue;
    const problem = jsonSchemaProblem(s[key], join(path, key), depth + 1);
    if (problem) return problem;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function at(path: string, message: string): string {
  return path ? `${path} ${message}` : message;
}
