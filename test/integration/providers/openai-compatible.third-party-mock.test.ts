import { ProviderError } from '../../../apps/inference/src/providers/llm-provider.port';
import { OpenAiCompatibleProvider } from '../../../apps/inference/src/providers/openai-compatible.provider';
import { DwmkerrMockLlm } from '../../support/mock-llm/dwmkerr-mock-llm.process';
import { abortAfterFirstDelta, failureOf, providerRequest, runProvider } from './provider-run.util';

/** Echo the last user message in 4-character chunks; a message containing "error-401" gets a 401 error. */
const CONFIG = `
streaming:
  chunkSize: 4
  chunkIntervalMs: 20
rules:
  - path: "/v1/chat/completions"
    method: "POST"
    match: "@"
    response:
      status: 200
      content: |
        {
          "id": "chatcmpl-{{timestamp}}",
          "object": "chat.completion",
          "model": "{{jmes request body.model}}",
          "choices": [{
            "message": { "role": "assistant", "content": "{{jmes request body.messages[-1].content}}" },
            "finish_reason": "stop"
          }]
        }
  - path: "/v1/chat/completions"
    method: "POST"
    match: "contains(body.messages[-1].content, 'error-401')"
    response:
      status: 401
      content: |
        { "error": { "message": "Incorrect API key provided.", "type": "authentication_error", "param": null, "code": "invalid_api_key" } }
`;

describe('OpenAiCompatibleProvider against @dwmkerr/mock-llm, an OpenAI-compatible server not written here', () => {
  let server: DwmkerrMockLlm;
  let provider: OpenAiCompatibleProvider;

  beforeAll(async () => {
    server = await DwmkerrMockLlm.start(CONFIG);
    provider = new OpenAiCompatibleProvider({ name: 'mock-llm', baseURL: `${server.url}/v1`, upstreamModel: 'gpt-4', timeoutMs: 10_000 });
  });
  afterAll(async () => server?.stop());

  it('streams the echoed text in its chunks and finishes with "stop", estimating the usage it does not report', async () => {
    const prompt = 'Queues keep every request safe.';
    const run = await runProvider(provider, providerRequest([{ role: 'user', content: prompt }]));
    expect(run.text).toBe(prompt);
    expect(run.deltas.length).toBeGreaterThan(1);
    expect(run.finish.finishReason).toBe('stop');
    expect(run.finish.usageEstimated).toBe(true);
    expect(run.finish.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('aborts mid-stream with an AbortError', async () => {
    const { error, deltas } = await abortAfterFirstDelta(provider, providerRequest([{ role: 'user', content: 'A long enough answer to span many chunks.' }]));
    expect(error.name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(ProviderError);
    expect(deltas).toHaveLength(1);
  });

  it('turns an error event inside the stream into a permanent error with its message', async () => {
    const error = await failureOf(provider, providerRequest([{ role: 'user', content: 'please error-401' }]));
    expect(error).toMatchObject({ name: 'ProviderError', retryable: false });
    expect(error.message).toContain('Incorrect API key provided.');
  });
});
