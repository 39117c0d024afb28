import type { z } from 'zod';

/**
 * Text PostgreSQL cannot store: NUL (`text` and `jsonb` refuse U+0000) and UTF-16 surrogates without their pair
 * (not Unicode scalar values: `jsonb` refuses their escapes, and UTF-8 has no encoding for them).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates';

/** Where the first unstorable string is in a parsed value (an object key counts as its object's), or null. */
export function unstorableTextPath(value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextPath(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return path;
    const found = unstorableTextPath(item, [...path, key]);
    if (found) return found;
  }
  return null;
}

/**
 * The one refinement every request schema whose text is stored ends with (`.superRefine(rejectUnstorableText)`):
 * a 400 naming the field, rather than a database error at the insert.
 */
export function rejectUnstorableText(value: unknown, ctx: z.RefinementCtx): void {
  const path = unstorableTextPath(value);
  if (path) ctx.addIssue({ code: 'custom', path, message: UNSTORABLE_TEXT_MESSAGE });
}
