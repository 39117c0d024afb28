import { chatCompletionRequestSchema } from '@conveyor/contracts';
import { mapException } from '../errors/error.mapper';
import { ConveyorException } from '../errors/conveyor.exception';
import { parseOrThrow } from './zod-validation.util';

const schema = chatCompletionRequestSchema({ maxTokensCap: 4096, maxMessages: 8 });
const USER = { role: 'user', content: 'What is the weather in Paris?' };
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, units: { enum: ['c', 'f'] } }, required: ['city'] },
  },
};
const CALL = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

/** The 400 body parseOrThrow's exception maps to for this request (fails the test if it parses). */
function rejection(body: Record<string, unknown>): { status: number; param: string | null; message: string } {
  try {
    parseOrThrow(schema, { messages: [USER], ...body });
  } catch (err) {
    expect(err).toBeInstanceOf(ConveyorException);
    const { status, body: error } = mapException(err as ConveyorException);
    return { status, param: error.error.param, message: error.error.message };
  }
  throw new Error('expected the request to be rejected');
}

describe('tools and tool_choice on a chat completion request', () => {
  it('accepts OpenAI tools with a JSON Schema, every tool_choice form, and a tool conversation', () => {
    const messages = [USER, { role: 'assistant', content: null, tool_calls: [CALL] }, { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' }];
    for (const tool_choice of ['auto', 'none', 'required', { type: 'function', function: { name: 'get_weather' } }]) {
      const parsed = parseOrThrow(schema, { messages, tools: [WEATHER, { type: 'function', function: { name: 'now' } }], tool_choice });
      expect(parsed.tools).toHaveLength(2);
      expect(parsed.tool_choice).toEqual(tool_choice);
      expect(parsed.messages[1]!.tool_calls).toEqual([CALL]);
    }
  });

  it.each([
    ['parameters that are not an object', { parameters: 'object' }, 'tools[0].function.parameters', /JSON Schema object/],
    ['parameters that are an array', { parameters: [{ type: 'string' }] }, 'tools[0].function.parameters', /JSON Schema object/],
    [
      'an unknown type',
      { parameters: { type: 'object', properties: { city: { type: 'text' } } } },
      'tools[0].function.parameters',
      /properties\.city\.type must be one of/,
    ],
    ['properties that are not a map', { parameters: { type: 'object', properties: ['city'] } }, 'tools[0].function.parameters', /properties must be an object/],
    [
      'a property schema that is a string',
      { parameters: { type: 'object', properties: { city: 'string' } } },
      'tools[0].function.parameters',
      /properties\.city must be a JSON Schema object/,
    ],
    ['required that is not a list of names', { parameters: { type: 'object', required: 'city' } }, 'tools[0].function.parameters', /required must be an array/],
    ['duplicate required names', { parameters: { type: 'object', required: ['a', 'a'] } }, 'tools[0].function.parameters', /distinct/],
    ['an empty enum', { parameters: { type: 'object', properties: { u: { enum: [] } } } }, 'tools[0].function.parameters', /enum must be a non-empty array/],
    [
      'bad items in a nested array',
      { parameters: { type: 'object', properties: { l: { type: 'array', items: 5 } } } },
      'tools[0].function.parameters',
      /properties\.l\.items/,
    ],
    ['a top-level schema that is not an object schema', { parameters: { type: 'string' } }, 'tools[0].function.parameters', /must describe an object/],
    ['a name with spaces', { name: 'get weather' }, 'tools[0].function.name', /letters, digits/],
    ['a name of 65 characters', { name: 'x'.repeat(65) }, 'tools[0].function.name', /1–64/],
  ])('rejects a tool with %s: 400 naming %s', (_label, fn, param, message) => {
    const tool = { type: 'function', function: { ...WEATHER.function, ...fn } };
    expect(rejection({ tools: [tool] })).toEqual({ status: 400, param, message: expect.stringMatching(message) });
  });

  it.each([
    ['a tool that is not a function', { tools: [{ type: 'retrieval' }] }, 'tools[0].type'],
    ['two tools of one name', { tools: [WEATHER, WEATHER] }, 'tools[1].function.name'],
    ['tool_choice without tools', { tool_choice: 'required' }, 'tool_choice'],
    ['tool_choice naming an absent tool', { tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } }, 'tool_choice'],
    ['an unknown tool_choice', { tools: [WEATHER], tool_choice: 'always' }, 'tool_choice'],
    ['a tool message without tool_call_id', { messages: [USER, { role: 'tool', content: '21' }] }, 'messages[1].tool_call_id'],
    ['tool_calls on a user message', { messages: [{ ...USER, tool_calls: [CALL] }] }, 'messages[0].tool_calls'],
    ['an assistant message with neither content nor tool_calls', { messages: [USER, { role: 'assistant', content: null }] }, 'messages[1].content'],
    [
      'a tool call whose arguments are not a string',
      { messages: [USER, { role: 'assistant', tool_calls: [{ ...CALL, function: { name: 'f', arguments: {} } }] }] },
      'messages[1].tool_calls[0].function.arguments',
    ],
  ])('rejects %s: 400 naming %s', (_label, body, param) => {
    expect(rejection(body)).toMatchObject({ status: 400, param });
  });
});
