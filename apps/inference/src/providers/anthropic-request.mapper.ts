import type {
  ContentBlockParam,
  MessageParam,
  Tool,
  ToolChoice as AnthropicToolChoice,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { messageText, type ChatMessage, type ToolChoice, type ToolDefinition } from '@conveyor/contracts';
import { parseToolArguments } from './tool-arguments.util';

/**
 * Conveyor's (OpenAI's) conversation as Anthropic's turns, which are only `user` and `assistant`: an assistant
 * turn's `tool_calls` become `tool_use` blocks (after its text, if any), and `tool` messages become
 * `tool_result` blocks of a user turn — consecutive ones in one turn, as Anthropic requires every result of a
 * turn's parallel calls to come together. System and developer messages are not turns (see `system`).
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const turns: MessageParam[] = [];
  for (const message of messages) {
    if (message.role === 'tool') {
      const block: ToolResultBlockParam = { type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: messageText(message) };
      const last = turns.at(-1);
      if (last && isToolResultTurn(last)) last.content.push(block);
      else turns.push({ role: 'user', content: [block] });
    } else if (message.role === 'assistant' && message.tool_calls) {
      const text = messageText(message);
      const blocks: ContentBlockParam[] = text ? [{ type: 'text', text }] : [];
      for (const call of message.tool_calls) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments) });
      }
      turns.push({ role: 'assistant', content: blocks });
    } else {
      turns.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: message.content ?? '' });
    }
  }
  return turns;
}

function isToolResultTurn(turn: MessageParam): turn is MessageParam & { content: ContentBlockParam[] } {
  return turn.role === 'user' && Array.isArray(turn.content) && turn.content.every((b) => b.type === 'tool_result');
}

/** OpenAI's function tools as Anthropic's: the parameters schema becomes `input_schema` (always an object schema). */
export function toAnthropicTools(tools: readonly ToolDefinition[]): Tool[] {
  return tools.map(({ function: fn }) => ({
    name: fn.name,
    ...(fn.description !== undefined && { description: fn.description }),
    input_schema: { ...fn.parameters, type: 'object' },
  }));
}

/** `required` is Anthropic's `any`; a named function is `{type: "tool", name}`. */
export function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (typeof choice === 'object') return { type: 'tool', name: choice.function.name };
  return choice === 'required' ? { type: 'any' } : { type: choice };
}
