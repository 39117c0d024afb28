import { ChatStreamClient } from '../../../apps/inference/src/providers/chat-stream.client';
import { ProviderError } from '../../../apps/inference/src/providers/llm-provider.port';
import { OpenAiCompatibleProvider } from '../../../apps/inference/src/providers/openai-compatible.provider';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { openAiErrorReply, openAiStreamFrames } from '../../support/mock-llm/openai-stream.fixture';
import { encodeSse, sseReply } from '../../support/mock-llm/reply.util';
import { abortAfterFirstDelta, failureOf, providerRequest, runProvider } from './provider-run.util';

const API_KEY = 'sk-test-0123456789abcdef';
const HELLO = providerRequest([{ role: 'user', content: 'Hello' }]);
const PIECES = ['Hello', ' there', ', friend.'];
const USAGE = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 };

describe('OpenAiCompatibleProvider against a wire-compatible OpenAI server', () => {
  let upstream: MockUpstream | undefined;
  afterEach(async () => upstream?.close());

  const start = async (...replies: Parameters<typeof MockUpstream.start>) => {
    upstream = await MockUpstream.start(...replies);
    return new OpenAiCompatibleProvider({
      name: 'openai-mock',
      baseURL: `${upstream.url}/v1`,
      apiKey: API_KEY,
      upstreamModel: 'gpt-4o-mini',
      timeoutMs: 10_000,
    });
  };

  it('streams the deltas in order, then the finish reason and the usage of the include_usage chunk', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, finishReason: 'stop', usage: USAGE })));
    const run = await runProvider(provider, HELLO);
    expect(run.deltas).toEqual(PIECES);
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', usage: USAGE });
  });

  it('sends the upstream model, the messages and every sampling parameter, with a bearer key and usage requested', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: ['ok'], finishReason: 'stop', usage: USAGE })));
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] },
    ];
    await runProvider(provider, providerRequest(messages, { max_tokens: 42, temperature: 0.3, top_p: 0.9, stop: ['END'], user: 'u-7' }));
    const { method, path, headers, body } = upstream!.request;
    expect([method, path]).toEqual(['POST', '/v1/chat/completions']);
    expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(body).toEqual({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 42,
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-7',
    });
  });

  it('maps finish_reason "length", and estimates usage (marked) when the server reports none', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, finishReason: 'length' })));
    const { finish } = await runProvider(provider, HELLO);
    expect(finish.finishReason).toBe('length');
    expect(finish.usageEstimated).toBe(true);
    expect(finish.usage.completion_tokens).toBeGreaterThan(0);
    expect(finish.usage.prompt_tokens).toBeGreaterThan(0);
    expect(finish.usage.total_tokens).toBe(finish.usage.prompt_tokens + finish.usage.completion_tokens);
  });

  it('aborts mid-stream with an AbortError, and the upstream sees the client hang up', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, done: false }), 'stall'));
    const { error, deltas } = await abortAfterFirstDelta(provider, HELLO);
    expect(error.name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(deltas).toEqual(['Hello']);
    expect((await upstream!.clientDisconnect()).path).toBe('/v1/chat/completions');
  });

  it('does not call the upstream when the signal is already aborted', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, finishReason: 'stop' })));
    const error = await failureOf(provider, HELLO, AbortSignal.abort());
    expect(error.name).toBe('AbortError');
    expect(upstream!.requests).toHaveLength(0);
  });

  it('its chat-stream client sends nothing, and reads nothing, for a signal that fired before the call', async () => {
    await start(sseReply(openAiStreamFrames({ pieces: PIECES, finishReason: 'stop' })));
    const client = new ChatStreamClient({ baseURL: `${upstream!.url}/v1`, apiKey: API_KEY, timeoutMs: 10_000 });
    const reason = new Error('cancelled before the call');
    const chunks: unknown[] = [];
    const read = (async () => {
      for await (const chunk of client.stream({ model: 'gpt-4o-mini', messages: [], stream: true }, AbortSignal.abort(reason))) chunks.push(chunk);
    })();
    await expect(read).rejects.toBe(reason);
    expect(chunks).toEqual([]);
    expect(upstream!.requests).toHaveLength(0);
  });

  it('turns a 429 with Retry-After into a retryable error carrying the delay, without retrying inside the SDK', async () => {
    const provider = await start(openAiErrorReply(429, 'Rate limit reached for requests', { 'retry-after': '7' }));
    const error = await failureOf(provider, HELLO);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7_000 });
    expect(upstream!.requests).toHaveLength(1);
  });

  it('turns a 500 into a retryable error, sent once', async () => {
    const provider = await start(openAiErrorReply(500, 'The server had an error'));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true, status: 500 });
    expect(upstream!.requests).toHaveLength(1);
  });

  it("turns a 400 into a permanent error carrying the upstream's message", async () => {
    const provider = await start(openAiErrorReply(400, "'messages' must contain the word 'json'"));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: false, status: 400 });
    expect(error.message).toContain("'messages' must contain the word 'json'");
  });

  it('never repeats the API key, even when the upstream echoes it in an error', async () => {
    const provider = await start(openAiErrorReply(401, `Incorrect API key provided: ${API_KEY}.`));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ retryable: false, status: 401 });
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain(API_KEY);
  });

  it('turns a malformed stream into a retryable error', async () => {
    const frames = [...openAiStreamFrames({ pieces: ['Hel'], done: false }), { data: '{"id":"chatcmpl-mock-1","choices":[{' }];
    const error = await failureOf(await start(sseReply(frames)), HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toMatch(/malformed stream/);
  });

  it('turns a connection cut mid-stream into a retryable error', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, done: false }), 'cut'));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
  });

  it('turns a stream that ends cleanly but before any finish reason into a retryable error', async () => {
    const provider = await start(sseReply(openAiStreamFrames({ pieces: PIECES, done: false })));
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toMatch(/ended before the model finished/);
  });

  it('gives up on an upstream that does not start answering within its timeout: a retryable error, and it hangs up', async () => {
    upstream = await MockUpstream.start(() => undefined);
    const provider = new OpenAiCompatibleProvider({ name: 'slow', baseURL: `${upstream.url}/v1`, upstreamModel: 'm', timeoutMs: 200 });
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
    expect(error.message).toMatch(/timed out/);
    expect((await upstream.clientDisconnect()).path).toBe('/v1/chat/completions');
  });

  it('reads events split across writes, with CRLF line ends, comments and multi-line data', async () => {
    const frames = openAiStreamFrames({ pieces: PIECES, finishReason: 'stop', usage: USAGE });
    const multiLine = (frame: (typeof frames)[number]) =>
      typeof frame.data === 'string' ? encodeSse(frame) : `data: ${JSON.stringify(frame.data, null, 1).split('\n').join('\ndata: ')}\n\n`;
    const text = `: keep-alive\n\n${frames.map(multiLine).join('')}`.replace(/\n/g, '\r\n');
    const provider = await start(async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < text.length; i += 7) {
        res.write(text.slice(i, i + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const run = await runProvider(provider, HELLO);
    expect(run.deltas).toEqual(PIECES);
    expect(run.finish).toEqual({ type: 'finish', finishReason: 'stop', usage: USAGE });
  });

  it('keeps its connection to the upstream open from one call to the next', async () => {
    const ports: number[] = [];
    const provider = await start((res, req) => {
      ports.push(req.socket.remotePort!);
      return sseReply(openAiStreamFrames({ pieces: PIECES, finishReason: 'stop', usage: USAGE }))(res, req, undefined as never);
    });
    for (let i = 0; i < 3; i++) await runProvider(provider, HELLO);
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
  });

  it('turns a refused connection into a retryable error', async () => {
    const provider = await start(openAiErrorReply(500, 'unused'));
    await upstream!.close();
    upstream = undefined;
    const error = await failureOf(provider, HELLO);
    expect(error).toMatchObject({ name: 'ProviderError', retryable: true });
  });
});
