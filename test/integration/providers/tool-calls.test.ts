import type { ChatMessage, CompletionParams, ToolDefinition } from '@conveyor/contracts';
import { AnthropicProvider } from '../../../apps/inference/src/providers/anthropic.provider';
import { GeminiProvider } from '../../../apps/inference/src/providers/gemini.provider';
import { OpenAiCompatibleProvider } from '../../../apps/inference/src/providers/openai-compatible.provider';
import { anthropicStreamFrames } from '../../support/mock-llm/anthropic-stream.fixture';
import { geminiStreamFrames } from '../../support/mock-llm/gemini-stream.fixture';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { openAiStreamFrames } from '../../support/mock-llm/openai-stream.fixture';
import { sseReply } from '../../support/mock-llm/reply.util';
import { providerRequest, runProvider } from './provider-run.util';

const WEATHER: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const TOOLS: CompletionParams = { tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_weather' } } };
/** A whole tool round: the model called get_weather twice, both answered; the model is asked to go on. */
const CONVERSATION: ChatMessage[] = [
  { role: 'user', content: 'Weather in Paris and Rome?' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [
      { id: 'call_p', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_r', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ],
  },
  { role: 'tool', tool_call_id: 'call_p', content: '{"temp":21}' },
  { role: 'tool', tool_call_id: 'call_r', content: 'sunny' },
];
const PARIS = { city: 'Paris' };

describe('tool calls through each adapter, against wire-compatible upstreams', () => {
  let upstream: MockUpstream | undefined;
  afterEach(async () => upstream?.close());

  it('OpenAI-compatible: passes tools, tool_choice and tool turns through, and joins delta.tool_calls fragments by index', async () => {
    const toolCalls = [
      { id: 'call_a', name: 'get_weather', argumentFragments: ['{"ci', 'ty":', '"Paris"}'] },
      { id: 'call_b', name: 'get_weather', argumentFragments: ['{"city":"Rome"}'] },
    ];
    upstream = await MockUpstream.start(sseReply(openAiStreamFrames({ pieces: [], toolCalls, finishReason: 'tool_calls' })));
    const provider = new OpenAiCompatibleProvider({
      name: 'openai-mock',
      baseURL: `${upstream.url}/v1`,
      apiKey: 'sk-test',
      upstreamModel: 'gpt-4o-mini',
      timeoutMs: 10_000,
    });
    const { finish, deltas } = await runProvider(provider, providerRequest(CONVERSATION, TOOLS));
    const { body } = upstream.request;
    expect(body.tools).toEqual([WEATHER]);
    expect(body.tool_choice).toEqual(TOOLS.tool_choice);
    expect(body.messages).toEqual(CONVERSATION);
    expect(deltas).toEqual([]);
    expect(finish.finishReason).toBe('tool_calls');
    expect(finish.toolCalls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ]);
  });

  it('Anthropic: maps tools to input_schema, tool turns to tool_use / tool_result blocks, and assembles tool_use input', async () => {
    const toolUses = [{ id: 'toolu_1', name: 'get_weather', jsonFragments: ['{"city"', ': "Paris"}'] }];
    upstream = await MockUpstream.start(sseReply(anthropicStreamFrames({ pieces: ['Let me check.'], toolUses, stopReason: 'tool_use' })));
    const provider = new AnthropicProvider({
      name: 'anthropic-mock',
      baseURL: upstream.url,
      apiKey: 'sk-ant-test',
      upstreamModel: 'claude-mock-model',
      timeoutMs: 10_000,
    });
    const { finish, text } = await runProvider(provider, providerRequest(CONVERSATION, TOOLS));
    const { body } = upstream.request;
    expect(body.tools).toEqual([{ name: 'get_weather', description: 'Weather for a city', input_schema: WEATHER.function.parameters }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_p', name: 'get_weather', input: PARIS },
          { type: 'tool_use', id: 'call_r', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_p', content: '{"temp":21}' },
          { type: 'tool_result', tool_use_id: 'call_r', content: 'sunny' },
        ],
      },
    ]);
    expect(text).toBe('Let me check.');
    expect(finish.finishReason).toBe('tool_calls');
    expect(finish.toolCalls).toEqual([{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }]);
  });

  it('Gemini: maps tools to functionDeclarations, tool turns to functionCall / functionResponse, and reads functionCall parts', async () => {
    const functionCalls = [
      { name: 'get_weather', args: PARIS },
      { name: 'get_weather', args: { city: 'Rome' } },
    ];
    upstream = await MockUpstream.start(sseReply(geminiStreamFrames({ pieces: [], functionCalls, finishReason: 'STOP' })));
    const provider = new GeminiProvider({
      name: 'gemini-mock',
      baseURL: upstream.url,
      apiKey: 'AIza-test',
      upstreamModel: 'gemini-2.0-flash',
      timeoutMs: 10_000,
    });
    const { finish } = await runProvider(provider, providerRequest(CONVERSATION, { tools: [WEATHER], tool_choice: 'required' }));
    const { body } = upstream.request;
    expect(body.tools).toEqual([
      { functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: WEATHER.function.parameters }] },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: PARIS } }, { functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
          { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        ],
      },
    ]);
    // Gemini says STOP after a function call; the result says tool_calls, as OpenAI would.
    expect(finish.finishReason).toBe('tool_calls');
    expect(finish.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_[0-9a-f]{32}$/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: expect.stringMatching(/^call_[0-9a-f]{32}$/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ]);
    expect(finish.toolCalls![0]!.id).not.toBe(finish.toolCalls![1]!.id);
  });

  it('estimates usage including the tool-call arguments when the upstream reports none', async () => {
    const toolCalls = [{ id: 'call_a', name: 'get_weather', argumentFragments: ['{"city":"Paris"}'] }];
    upstream = await MockUpstream.start(sseReply(openAiStreamFrames({ pieces: [], toolCalls, finishReason: 'tool_calls' })));
    const provider = new OpenAiCompatibleProvider({ name: 'openai-mock', baseURL: `${upstream.url}/v1`, upstreamModel: 'local', timeoutMs: 10_000 });
    const { finish } = await runProvider(provider, providerRequest(CONVERSATION, TOOLS));
    expect(finish.usageEstimated).toBe(true);
    expect(finish.usage.completion_tokens).toBeGreaterThan(0);
  });
});
