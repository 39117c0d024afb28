import { z } from 'zod';
import { jsonSchemaProblem } from './json-schema.util';

/** OpenAI's rule for function names, which Anthropic and Gemini accept as well. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const ToolName = z.string().regex(TOOL_NAME_PATTERN, 'must be 1–64 letters, digits, underscores or dashes');

/**
 * Any JSON value below a schema's top level, typed `object` rather than `unknown` for nested values, so the
 * jsonb columns' typings (TypeORM's deep partials) accept it; jsonSchemaProblem checks the structure.
 */
const JsonValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.custom<object>((v) => typeof v === 'object' && v !== null)]);

/**
 * A function's `parameters`: a JSON Schema describing one object (the call's arguments), as OpenAI requires.
 * Checked structurally (see jsonSchemaProblem), so a schema no provider could read is a 400 at submit, never a
 * job that fails at the provider later.
 */
const FunctionParameters = z.record(z.string(), JsonValue, { error: 'must be a JSON Schema object' }).superRefine((value, ctx) => {
  const problem = jsonSchemaProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${problem}` });
  else if (value.type !== undefined && value.type !== 'object') {
    ctx.addIssue({ code: 'custom', message: 'must describe an object: its type must be "object"' });
  }
});

/** One tool a request offers the model, in OpenAI's shape. Only function tools exist in Chat Completions. */
export const ToolDefinitionSchema = z.object({
  type: z.literal('function', { error: 'must be "function"' }),
  function: z.object({
    name: ToolName,
    description: z.string().max(4096).optional(),
    parameters: FunctionParameters.optional(),
    strict: z.boolean().nullish(),
  }),
});
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

/** `none`, `auto`, `required`, or one named function the model must call. */
export const ToolChoiceSchema = z.union(
  [z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: ToolName }) })],
  { error: 'must be "none", "auto", "required" or {"type": "function", "function": {"name": …}}' },
);
export type ToolChoice = z.infer<typeof ToolChoiceSchema>;

/**
 * A call the model made, in OpenAI's shape: `arguments` is the JSON text of the arguments, exactly as OpenAI
 * returns it (a string, since a model may produce invalid JSON; callers parse it). Assistant messages of a
 * conversation carry these back, and a finished job's result holds them.
 */
export const ToolCallSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1).max(256), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;
