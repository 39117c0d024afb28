import { Logger } from '@nestjs/common';
import { loadConfig, type CatalogDeployment, type ConveyorConfig, type ModelCatalog } from '@conveyor/config';
import { MetricsRegistry, ProviderMetrics } from '@conveyor/metrics';
import { ModelRouter, RoutingError } from '../../../apps/inference/src/routing/model-router.service';
import { ProviderFactory } from '../../../apps/inference/src/routing/provider.factory';
import { anthropicErrorReply } from '../../support/mock-llm/anthropic-stream.fixture';
import { MockUpstream } from '../../support/mock-llm/mock-upstream.server';
import { openAiErrorReply, openAiStreamFrames } from '../../support/mock-llm/openai-stream.fixture';
import { sseReply } from '../../support/mock-llm/reply.util';

const ANTHROPIC_KEY = 'sk-ant-routing-test-0123456789';
const USAGE = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
const answer = (...pieces: string[]) => sseReply(openAiStreamFrames({ pieces, finishReason: 'stop', usage: USAGE }));
const REQUEST = { model: 'quality', messages: [{ role: 'user' as const, content: 'Hello' }], params: {} };

/**
 * The router with the real provider adapters, against wire-compatible upstreams started here: each test scripts
 * its upstreams' faults and checks where the job ended and which calls it recorded.
 */
describe('ModelRouter over real providers and fault-injecting upstreams', () => {
  const upstreams: MockUpstream[] = [];
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(async () => {
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
  });

  const upstream = async (...replies: Parameters<typeof MockUpstream.start>) => {
    const mock = await MockUpstream.start(...replies);
    upstreams.push(mock);
    return mock;
  };
  const openai = (id: string, mock: MockUpstream): CatalogDeployment => ({ id, provider: 'openai', upstream_model: `${id}-model`, base_url: `${mock.url}/v1` });

  /** A router whose "quality" group tries `primary`'s deployments, then `secondary`'s. */
  function routerFor(primary: CatalogDeployment[], secondary: CatalogDeployment[], routing: Partial<ConveyorConfig['routing']> = {}) {
    const models: ModelCatalog = {
      models: [
        { name: 'primary', deployments: primary },
        { name: 'secondary', deployments: secondary },
      ],
      groups: [{ name: 'quality', models: ['primary', 'secondary'] }],
    };
    const base = loadConfig({});
    const config: ConveyorConfig = { ...base, models, routing: { ...base.routing, backoffBaseMs: 10, backoffMaxMs: 2_000, deadlineMs: 10_000, ...routing } };
    return new ModelRouter(
      config,
      new ProviderFactory(config, { ANTHROPIC_TEST_KEY: ANTHROPIC_KEY }),
      new ProviderMetrics(new MetricsRegistry({ defaults: false })),
    );
  }

  const failure = (router: ModelRouter): Promise<RoutingError> =>
    router
      .route(REQUEST, new AbortController().signal, () => undefined)
      .then(
        () => Promise.reject(new Error('expected routing to fail')),
        (err: unknown) => (err instanceof RoutingError ? err : Promise.reject(err)),
      );

  it('retries a 429 carrying Retry-After on the same deployment, then completes', async () => {
    const a = await upstream(openAiErrorReply(429, 'Rate limit reached', { 'retry-after': '1' }), answer('Hi', '!'));
    const b = await upstream(answer('never'));
    const result = await routerFor([openai('a', a)], [openai('b', b)]).route(REQUEST, new AbortController().signal, () => undefined);
    expect(result.text).toBe('Hi!');
    expect(result.usage).toEqual(USAGE);
    expect(result.attempts.map((x) => [x.deployment, x.outcome, x.error?.status])).toEqual([
      ['a', 'error', 429],
      ['a', 'ok', undefined],
    ]);
    expect(a.requests).toHaveLength(2);
    expect(b.requests).toHaveLength(0);
  });

  it('cools a deployment down instead of waiting when its Retry-After is longer than any backoff, and falls back', async () => {
    const a = await upstream(openAiErrorReply(429, 'Come back in two minutes', { 'retry-after': '120' }));
    const b = await upstream(answer('from b'));
    const router = routerFor([openai('a', a)], [openai('b', b)], { deadlineMs: 5_000 });
    expect((await router.route(REQUEST, new AbortController().signal, () => undefined)).text).toBe('from b');
    expect((await router.route(REQUEST, new AbortController().signal, () => undefined)).attempts.map((x) => x.deployment)).toEqual(['b']);
    expect(a.requests).toHaveLength(1);
  });

  it('falls back to the next deployment after a 500 that persists through the retries', async () => {
    const a = await upstream(openAiErrorReply(500, 'The server had an error'));
    const b = await upstream(answer('Fallback', ' answer'));
    const result = await routerFor([openai('a', a)], [openai('b', b)], { maxRetries: 1 }).route(REQUEST, new AbortController().signal, () => undefined);
    expect(result.text).toBe('Fallback answer');
    expect(result.deployment.id).toBe('b');
    expect(result.attempts.map((x) => `${x.deployment}:${x.outcome}:${x.error?.status ?? ''}`)).toEqual(['a:error:500', 'a:error:500', 'b:ok:']);
    expect(b.request.body).toMatchObject({ model: 'b-model', stream: true });
  });

  it('restarts on the fallback when the connection is cut mid-stream: its deltas start again at seq 0', async () => {
    const a = await upstream(sseReply(openAiStreamFrames({ pieces: ['Half', ' an'] }), 'cut'));
    const b = await upstream(answer('Whole', ' answer'));
    const deltas: Array<[string, number]> = [];
    const result = await routerFor([openai('a', a)], [openai('b', b)], { maxRetries: 0 }).route(REQUEST, new AbortController().signal, (c, seq) =>
      deltas.push([c, seq]),
    );
    expect(result.text).toBe('Whole answer');
    expect(deltas.slice(-2)).toEqual([
      ['Whole', 0],
      [' answer', 1],
    ]);
    expect(deltas[0]).toEqual(['Half', 0]);
  });

  it('falls back when the first deployment streams a malformed SSE data line', async () => {
    const garbage = [...openAiStreamFrames({ pieces: ['Half'], done: false }), { data: '{"choices": [{"delta": not json' }];
    const a = await upstream(sseReply(garbage));
    const b = await upstream(answer('Clean', ' answer'));
    const result = await routerFor([openai('a', a)], [openai('b', b)], { maxRetries: 0 }).route(REQUEST, new AbortController().signal, () => undefined);
    expect(result.text).toBe('Clean answer');
    expect(result.attempts).toEqual([
      expect.objectContaining({ deployment: 'a', outcome: 'error', error: { message: expect.stringMatching(/^a: malformed stream/) } }),
      expect.objectContaining({ deployment: 'b', outcome: 'ok' }),
    ]);
  });

  it('gives up on a call that stalls past ROUTING_CALL_TIMEOUT_MS, aborts it upstream and completes on the fallback', async () => {
    const a = await upstream(sseReply(openAiStreamFrames({ pieces: ['Thinking'], done: false }), 'stall'));
    const b = await upstream(answer('On time'));
    const router = routerFor([openai('a', a)], [openai('b', b)], { maxRetries: 0, callTimeoutMs: 300, deadlineMs: 10_000 });
    const startedAt = Date.now();
    const result = await router.route(REQUEST, new AbortController().signal, () => undefined);
    expect(result.text).toBe('On time');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(result.attempts.map((x) => [x.deployment, x.outcome, x.error?.message])).toEqual([
      ['a', 'error', 'a: no data from the upstream for 300 ms'],
      ['b', 'ok', undefined],
    ]);
    expect((await a.clientDisconnect()).path).toBe('/v1/chat/completions');
  });

  it('ends deadline_exceeded when an upstream hangs past the deadline, and the upstream sees the request aborted', async () => {
    const a = await upstream(sseReply(openAiStreamFrames({ pieces: ['Thinking'], done: false }), 'stall'));
    const b = await upstream(answer('too late'));
    const err = await failure(routerFor([openai('a', a)], [openai('b', b)], { deadlineMs: 500 }));
    expect(err.code).toBe('deadline_exceeded');
    expect(err.attempts).toEqual([expect.objectContaining({ deployment: 'a', outcome: 'error', error: { message: 'deadline exceeded' } })]);
    expect((await a.clientDisconnect()).path).toBe('/v1/chat/completions');
    expect(b.requests).toHaveLength(0);
  });

  it('ends providers_unavailable when every deployment of the group fails, listing every call', async () => {
    const a = await upstream(openAiErrorReply(503, 'Service unavailable'));
    const c = await upstream(anthropicErrorReply(529, 'overloaded_error', 'Overloaded'));
    const d = await upstream(sseReply(openAiStreamFrames({ pieces: ['cut'] }), 'cut'));
    const anthropic: CatalogDeployment = { id: 'c', provider: 'anthropic', upstream_model: 'claude', base_url: c.url, api_key_env: 'ANTHROPIC_TEST_KEY' };
    const err = await failure(routerFor([openai('a', a)], [anthropic, openai('d', d)], { maxRetries: 1 }));
    expect(err.code).toBe('providers_unavailable');
    expect(err.message).toMatch(/All providers unavailable for 'quality': 6 call\(s\) to 3 deployment\(s\) failed/);
    expect(err.attempts.map((x) => [x.deployment, x.provider, x.outcome, x.error?.status])).toEqual([
      ['a', 'openai', 'error', 503],
      ['a', 'openai', 'error', 503],
      ['c', 'anthropic', 'error', 529],
      ['c', 'anthropic', 'error', 529],
      ['d', 'openai', 'error', undefined],
      ['d', 'openai', 'error', undefined],
    ]);
    expect(JSON.stringify(err.attempts)).not.toContain(ANTHROPIC_KEY);
  });

  it('fails at once with the provider message on a 400, trying no fallback', async () => {
    const a = await upstream(openAiErrorReply(400, "Invalid value for 'temperature'"));
    const b = await upstream(answer('never'));
    const err = await failure(routerFor([openai('a', a)], [openai('b', b)]));
    expect(err.code).toBe('provider_error');
    expect(err.message).toContain("Invalid value for 'temperature'");
    expect(err.attempts).toHaveLength(1);
    expect(b.requests).toHaveLength(0);
  });

  it('refuses to start when a deployment names a key that is not set, naming the deployment', () => {
    const config: ConveyorConfig = {
      ...loadConfig({}),
      models: {
        models: [{ name: 'm', deployments: [{ id: 'claude-main', provider: 'anthropic', upstream_model: 'claude', api_key_env: 'NOT_SET_ANYWHERE' }] }],
        groups: [],
      },
    };
    expect(() => new ProviderFactory(config, {})).toThrow(/deployment "claude-main": environment variable NOT_SET_ANYWHERE \(its API key\) is not set/);
  });
});
