import { GeminiProvider } from '../../../apps/inference/src/providers/gemini.provider';
import { ProviderError } from '../../../apps/inference/src/providers/llm-provider.port';
import { geminiErrorReply, geminiStreamFrames } from '../../support/mock-llm/gemini-stream.fixture';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { sseReply } from '../../support/mock-llm/reply.util';
import { abortAfterFirstDelta, failureOf, providerRequest, runProvider } from './provider-run.util';

const API_KEY = 'AIza-test-0123456789abcdef';
const HELLO = providerRequest([{ role: 'user', content: 'Hello' }]);
const PIECES = ['Hello', ' from', ' Gemini.'];
const STREAM_PATH = '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse';

describe('GeminiProvider against a wire-compatible streamGenerateContent server', () => {
  let upstream: MockUpstream | undefined;
  afterEach(async () => upstream?.close());

  const start = async (...replies: Parameters<typeof MockUpstream.start>) => {
    upstream = await MockUpstream.start(...replies);
    return new GeminiProvider({ name: 'gemini-mock', baseURL: upstream.url, apiKey: API_KEY, upstreamModel: 'gemini-2.0-flash', timeoutMs: 10_000 });
  };

  it('streams the text parts, then STOP as "stop" with usage from usageMetadata', async () => {
    const usage = { promptTokenCount: 11, candidatesTokenCount: 5, totalTokenCount: 16 };
    const provider = await start(sseReply(geminiStreamFrames({ pieces: PIECES, finishReason: 'STOP', usage })));
    const run = await runProvider(provider, HELLO);
    expect(run.deltas).toEqual(PIECES);
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', usage: { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 } });
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
  ] as const)('maps finishReason %s to finish_reason %s', async (reason, finishReason) => {
    const provider = await start(sseReply(geminiStreamFrames({ pieces: PIECES, finishReason: reason })));
    expect((await runProvider(provider, HELLO)).finish.finishReason).toBe(finishReason);
  });

  it('posts to streamGenerateContent with alt=sse and x-goog-api-key, system as systemInstruction, assistant as model', async () => {
    const provider = await start(sseReply(geminiStreamFrames({ pieces: ['ok'], finishReason: 'STOP' })));
    const request = providerRequest(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
      ],
      { max_tokens: 64, temperature: 0.4, top_p: 0.7, stop: ['END'] },
    );
    await runProvider(provider, request);
    const { method, path, headers, body } = upstream!.request;
    expect([method, path]).toEqual(['POST', STREAM_PATH]);
    expect(headers['x-goog-api-key']).toBe(API_KEY);
    expect(body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.4, topP: 0.7, stopSequences: ['END'] },
    });
  });

  it('aborts mid-stream with an AbortError, and the upstream sees the client hang up', async () => {
    const provider = await start(sseReply(geminiStreamFrames({ pieces: PIECES }), 'stall'));
    const { error, deltas } = await abortAfterFirstDelta(provider, HELLO);
    expect(error.name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(deltas).toEqual(['Hello']);
    expect((await upstream!.clientDisconnect()).path).toBe(STREAM_PATH);
  });

  it("turns a 429 into a retryable error carrying RetryInfo's delay", async () => {
    const provider = await start(geminiErrorReply(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', 12));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true, status: 429, retryAfterMs: 12_000 });
    expect(upstream!.requests).toHaveLength(1);
  });

  it('turns a 500 into a retryable error', async () => {
    const provider = await start(geminiErrorReply(500, 'INTERNAL', 'An internal error has occurred.'));
    expect(await failureOf(provider, HELLO)).toMatchObject({ name: 'ProviderError', retryable: true, status: 500 });
  });

  it("turns a 400 into a permanent error carrying the upstream's message, never the key", async () => {
    const provider = await start(geminiErrorReply(400, 'INVALID_ARGUMENT', `API key not valid: ${API_KEY}. Please pass a valid API key.`));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: false, status: 400 });
    expect(error.message).toContain('API key not valid');
    expect(error.message).not.toContain(API_KEY);
  });

  it('turns a malformed stream into a retryable error', async () => {
    const frames = [...geminiStreamFrames({ pieces: ['Hel'] }), { data: '{"candidates":[{"content":' }];
    const error = await failureOf(await start(sseReply(frames)), HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
  });

  it('turns a connection cut mid-stream into a retryable error', async () => {
    const provider = await start(sseReply(geminiStreamFrames({ pieces: PIECES }), 'cut'));
    expect(await failureOf(provider, HELLO)).toMatchObject({ name: 'ProviderError', retryable: true });
  });

  it('turns a stream that ends without a finishReason into a retryable error', async () => {
    const provider = await start(sseReply(geminiStreamFrames({ pieces: PIECES })));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toMatch(/ended before the model finished/);
  });
});
