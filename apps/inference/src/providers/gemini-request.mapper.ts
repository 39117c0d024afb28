import { FunctionCallingConfigMode, type Content, type Part, type Tool, type ToolConfig } from '@google/genai';
import { messageText, type ChatMessage, type ToolChoice, type ToolDefinition } from '@conveyor/contracts';
import { parseToolArguments, toolResultObject } from './tool-arguments.util';

/**
 * Conveyor's (OpenAI's) conversation as Gemini's contents, whose roles are `user` and `model`. An assistant
 * turn's `tool_calls` become `functionCall` parts; a `tool` message becomes a `functionResponse` part, named after
 * the call it answers (Gemini pairs them by name, and OpenAI's tool message names only the call's id), with
 * consecutive results in one user turn as Gemini expects for parallel calls. Ids are not sent: calls Gemini
 * made without one carry an id Conveyor invented, which Gemini would not recognise.
 */
export function toGeminiContents(messages: readonly ChatMessage[]): Content[] {
  const callNames = new Map<string, string>();
  const contents: Content[] = [];
  for (const message of messages) {
    if (message.role === 'tool') {
      const id = message.tool_call_id ?? '';
      const part: Part = { functionResponse: { name: callNames.get(id) ?? message.name ?? id, response: toolResultObject(messageText(message)) } };
      const last = contents.at(-1);
      if (last?.role === 'user' && last.parts?.every((p) => p.functionResponse)) last.parts.push(part);
      else contents.push({ role: 'user', parts: [part] });
      continue;
    }
    const text = messageText(message);
    const parts: Part[] = text || !message.tool_calls ? [{ text }] : [];
    for (const call of message.tool_calls ?? []) {
      callNames.set(call.id, call.function.name);
      parts.push({ functionCall: { name: call.function.name, args: parseToolArguments(call.function.arguments) } });
    }
    contents.push({ role: message.role === 'assistant' ? 'model' : 'user', parts });
  }
  return contents;
}

/** OpenAI's function tools as one Gemini tool of function declarations, the parameters as plain JSON Schema. */
export function toGeminiTools(tools: readonly ToolDefinition[]): Tool[] {
  const functionDeclarations = tools.map(({ function: fn }) => ({
    name: fn.name,
    ...(fn.description !== undefined && { description: fn.description }),
    ...(fn.parameters !== undefined && { parametersJsonSchema: fn.parameters }),
  }));
  return [{ functionDeclarations }];
}

/** `auto`/`none` map by name, `required` is `ANY`, and a named function is `ANY` restricted to it. */
export function toGeminiToolConfig(choice: ToolChoice): ToolConfig {
  if (typeof choice === 'object') {
    return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [choice.function.name] } };
  }
  const mode = { auto: FunctionCallingConfigMode.AUTO, none: FunctionCallingConfigMode.NONE, required: FunctionCallingConfigMode.ANY }[choice];
  return { functionCallingConfig: { mode } };
}
