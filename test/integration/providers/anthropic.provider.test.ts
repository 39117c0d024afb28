import { AnthropicProvider } from '../../../apps/inference/src/providers/anthropic.provider';
import { ProviderError } from '../../../apps/inference/src/providers/llm-provider.port';
import { anthropicErrorReply, anthropicStreamFrames } from '../../support/mock-llm/anthropic-stream.fixture';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { sseReply } from '../../support/mock-llm/reply.util';
import { abortAfterFirstDelta, failureOf, providerRequest, runProvider } from './provider-run.util';

const API_KEY = 'sk-ant-test-0123456789abcdef';
const HELLO = providerRequest([{ role: 'user', content: 'Hello' }]);
const PIECES = ['Hello', ' from', ' Claude.'];

describe('AnthropicProvider against a wire-compatible Messages API server', () => {
  let upstream: MockUpstream | undefined;
  afterEach(async () => upstream?.close());

  const start = async (...replies: Parameters<typeof MockUpstream.start>) => {
    upstream = await MockUpstream.start(...replies);
    return new AnthropicProvider({ name: 'anthropic-mock', baseURL: upstream.url, apiKey: API_KEY, upstreamModel: 'claude-mock-model', timeoutMs: 10_000 });
  };

  it('streams the text deltas, then end_turn as "stop" with input usage from message_start and output from message_delta', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES, stopReason: 'end_turn', inputTokens: 21, outputTokens: 6 })));
    const run = await runProvider(provider, HELLO);
    expect(run.deltas).toEqual(PIECES);
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', usage: { prompt_tokens: 21, completion_tokens: 6, total_tokens: 27 } });
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['tool_use', 'tool_calls'],
  ] as const)('maps stop_reason %s to finish_reason %s', async (stopReason, finishReason) => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES, stopReason })));
    expect((await runProvider(provider, HELLO)).finish.finishReason).toBe(finishReason);
  });

  it('sends system and developer messages as `system`, the rest as turns, with x-api-key and anthropic-version', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: ['ok'], stopReason: 'end_turn' })));
    const request = providerRequest(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
      ],
      { temperature: 0.2, top_p: 0.8, stop: ['END'], user: 'u-7' },
    );
    await runProvider(provider, request);
    const { path, headers, body } = upstream!.request;
    expect(path).toBe('/v1/messages');
    expect(headers['x-api-key']).toBe(API_KEY);
    expect(headers['anthropic-version']).toBe('2023-06-01');
    expect(headers.authorization).toBeUndefined();
    expect(body).toEqual({
      model: 'claude-mock-model',
      max_tokens: 1024,
      system: 'Be brief.\n\nAnswer in English.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
      ],
      stream: true,
      temperature: 0.2,
      top_p: 0.8,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-7' },
    });
  });

  it("sends the job's max_tokens instead of the default", async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: ['ok'], stopReason: 'end_turn' })));
    await runProvider(provider, providerRequest([{ role: 'user', content: 'Hi' }], { max_tokens: 77 }));
    expect(upstream!.request.body.max_tokens).toBe(77);
  });

  it('aborts mid-stream with an AbortError, and the upstream sees the client hang up', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES }), 'stall'));
    const { error, deltas } = await abortAfterFirstDelta(provider, HELLO);
    expect(error.name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(deltas).toEqual(['Hello']);
    expect((await upstream!.clientDisconnect()).path).toBe('/v1/messages');
  });

  it('turns a 429 with retry-after into a retryable error carrying the delay', async () => {
    const provider = await start(anthropicErrorReply(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after': '3' }));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true, status: 429, retryAfterMs: 3_000 });
    expect(upstream!.requests).toHaveLength(1);
  });

  it.each([500, 529])('turns a %i into a retryable error', async (status) => {
    const provider = await start(anthropicErrorReply(status, status === 529 ? 'overloaded_error' : 'api_error', 'Overloaded'));
    expect(await failureOf(provider, HELLO)).toMatchObject({ name: 'ProviderError', retryable: true, status });
  });

  it("turns a 400 into a permanent error carrying the upstream's message", async () => {
    const provider = await start(anthropicErrorReply(400, 'invalid_request_error', 'messages: roles must alternate'));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: false, status: 400 });
    expect(error.message).toContain('messages: roles must alternate');
  });

  it('never repeats the API key, even when the upstream echoes it in an error', async () => {
    const provider = await start(anthropicErrorReply(401, 'authentication_error', `invalid x-api-key ${API_KEY}`));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect(error.message).not.toContain(API_KEY);
  });

  it('turns an overloaded_error event inside a 200 stream into a retryable error', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES, errorType: 'overloaded_error' })));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toContain('overloaded_error');
  });

  it('turns a malformed stream into a retryable error', async () => {
    const frames = [...anthropicStreamFrames({ pieces: ['Hel'] }), { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{' }];
    const error = await failureOf(await start(sseReply(frames)), HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
  });

  it('turns a connection cut mid-stream into a retryable error', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES }), 'cut'));
    expect(await failureOf(provider, HELLO)).toMatchObject({ name: 'ProviderError', retryable: true });
  });

  it('turns a message that ends before message_delta into a retryable error', async () => {
    const provider = await start(sseReply(anthropicStreamFrames({ pieces: PIECES })));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toMatch(/ended before the model finished/);
  });
});
