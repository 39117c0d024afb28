import { GeminiProvider } from '../../../apps/inference/src/providers/gemini.provider';
import { ProviderError } from '../../../apps/inference/src/providers/llm-provider.port';
import { OpenAiCompatibleProvider } from '../../../apps/inference/src/providers/openai-compatible.provider';
import { geminiEmbeddingsReply, mockEmbedding, openAiEmbeddingsReply } from '../../support/mock-llm/embeddings.fixture';
import { geminiErrorReply } from '../../support/mock-llm/gemini-stream.fixture';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { jsonReply } from '../../support/mock-llm/reply.util';

const KEY = 'sk-embed-test-0123456789';
const f32 = (v: number[]) => v.map(Math.fround);
const signal = () => new AbortController().signal;

/** The embedding adapters against wire-compatible upstreams (plain HTTP servers speaking each API). */
describe('embeddings through the provider SDKs', () => {
  let upstream: MockUpstream | undefined;
  afterEach(async () => upstream?.close());

  describe('OpenAiCompatibleProvider (openai SDK, POST /v1/embeddings)', () => {
    const start = async (...replies: Parameters<typeof MockUpstream.start>) => {
      upstream = await MockUpstream.start(...replies);
      return new OpenAiCompatibleProvider({
        name: 'oa-embed',
        baseURL: `${upstream.url}/v1`,
        apiKey: KEY,
        upstreamModel: 'text-embedding-3-small',
        timeoutMs: 10_000,
      });
    };

    it('asks for base64 with the inputs, dimensions and user, and answers the decoded vectors in order with the usage', async () => {
      const provider = await start(openAiEmbeddingsReply());
      const answer = await provider.embed({ model: 'ignored', inputs: ['one two', 'three'], dimensions: 5, user: 'u-1' }, signal());
      const { method, path, headers, body } = upstream!.request;
      expect([method, path, headers.authorization]).toEqual(['POST', '/v1/embeddings', `Bearer ${KEY}`]);
      expect(body).toEqual({ model: 'text-embedding-3-small', input: ['one two', 'three'], encoding_format: 'base64', dimensions: 5, user: 'u-1' });
      expect(answer).toEqual({
        vectors: [f32(mockEmbedding('one two', 5)), f32(mockEmbedding('three', 5))],
        usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 },
      });
    });

    it('reads a server that answers floats anyway, and estimates the usage it leaves out', async () => {
      const provider = await start(openAiEmbeddingsReply({ alwaysFloat: true, noUsage: true }));
      const answer = await provider.embed({ model: 'm', inputs: ['hello world'] }, signal());
      expect(answer.vectors).toEqual([mockEmbedding('hello world')]);
      expect(answer.usageEstimated).toBe(true);
      expect(answer.usage).toEqual({ prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 });
    });

    it('classifies upstream errors: 429 retryable with its Retry-After, 400 not, and never shows the key', async () => {
      const provider = await start(
        jsonReply(429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '3' }),
        jsonReply(400, { error: { message: `bad input for ${KEY}`, type: 'invalid_request_error' } }),
      );
      const limited = await provider.embed({ model: 'm', inputs: ['x'] }, signal()).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(ProviderError);
      expect(limited).toMatchObject({ retryable: true, status: 429, retryAfterMs: 3000 });
      const rejected = (await provider.embed({ model: 'm', inputs: ['x'] }, signal()).catch((e: unknown) => e)) as ProviderError;
      expect(rejected).toMatchObject({ retryable: false, status: 400 });
      expect(rejected.message).not.toContain(KEY);
    });
  });

  describe('GeminiProvider (@google/genai, batchEmbedContents)', () => {
    const start = async (...replies: Parameters<typeof MockUpstream.start>) => {
      upstream = await MockUpstream.start(...replies);
      return new GeminiProvider({ name: 'gem-embed', baseURL: upstream.url, apiKey: KEY, upstreamModel: 'gemini-embedding-001', timeoutMs: 10_000 });
    };

    it('sends one request per input with outputDimensionality, and estimates the usage Gemini does not report', async () => {
      const provider = await start(geminiEmbeddingsReply());
      const answer = await provider.embed({ model: 'ignored', inputs: ['alpha', 'beta gamma'], dimensions: 6 }, signal());
      const { path, headers, body } = upstream!.request;
      expect(path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
      expect(headers['x-goog-api-key']).toBe(KEY);
      expect(body).toEqual({
        requests: [
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'alpha' }], role: 'user' }, outputDimensionality: 6 },
          { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'beta gamma' }], role: 'user' }, outputDimensionality: 6 },
        ],
      });
      expect(answer.vectors).toEqual([mockEmbedding('alpha', 6), mockEmbedding('beta gamma', 6)]);
      expect(answer.usageEstimated).toBe(true);
      expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
      expect(answer.usage.completion_tokens).toBe(0);
    });

    it('classifies a 503 as retryable and a 400 as not', async () => {
      const provider = await start(geminiErrorReply(503, 'UNAVAILABLE', 'overloaded'), geminiErrorReply(400, 'INVALID_ARGUMENT', 'bad'));
      expect(await provider.embed({ model: 'm', inputs: ['x'] }, signal()).catch((e: unknown) => e)).toMatchObject({ retryable: true, status: 503 });
      expect(await provider.embed({ model: 'm', inputs: ['x'] }, signal()).catch((e: unknown) => e)).toMatchObject({ retryable: false, status: 400 });
    });
  });
});
