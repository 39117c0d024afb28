/**
 * The arguments of a tool call as an object, for the APIs that take them parsed (Anthropic's `tool_use.input`,
 * Gemini's `functionCall.args`). OpenAI's shape keeps them as JSON text, which a model may have got wrong; such
 * text (or JSON that is not an object) is kept under `arguments` rather than dropped, so the replayed turn still
 * shows the model what it sent.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  return parseJsonObject(text) ?? { arguments: text };
}

/**
 * A tool's result (an OpenAI `tool` message's text) as the object Gemini's `functionResponse.response` must be:
 * a JSON object result as is, anything else under `output`, the key Gemini documents for a function's output.
 */
export function toolResultObject(text: string): Record<string, unknown> {
  return parseJsonObject(text) ?? { output: text };
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Not JSON: the callers keep it as text.
  }
  return null;
}
