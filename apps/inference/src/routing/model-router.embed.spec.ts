import { Logger } from '@nestjs/common';
import { loadConfig, type CatalogDeployment, type ConveyorConfig, type ModelCatalog } from '@conveyor/config';
import { ProviderError, type EmbeddingProviderRequest, type LlmProvider } from '../providers/llm-provider.port';
import { MetricsRegistry, ProviderMetrics } from '@conveyor/metrics';
import { ModelRouter, RoutingError } from './model-router.service';
import type { ProviderFactory } from './provider.factory';

/** What one embeddings call does: answer vectors of a length, fail, or hang until aborted. */
type Step = { dims: number; count?: number } | ProviderError | 'hang';

function scripted(steps: Step[]): LlmProvider & { seen: EmbeddingProviderRequest[] } {
  const seen: EmbeddingProviderRequest[] = [];
  return {
    name: 'scripted',
    seen,
    // eslint-disable-next-line require-yield -- only embeddings are routed here
    async *stream() {
      throw new Error('not a chat model');
    },
    async embed(request, signal) {
      const step = steps[seen.length] ?? steps[steps.length - 1]!;
      seen.push(request);
      if (step === 'hang') return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      if (step instanceof ProviderError) throw step;
      const vectors = Array.from({ length: step.count ?? request.inputs.length }, () => Array<number>(step.dims).fill(0.5));
      return { vectors, usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 } };
    },
  };
}

const dep = (id: string): CatalogDeployment => ({ id, provider: 'simulated', upstream_model: `${id}-upstream` });
const CATALOG: ModelCatalog = {
  models: [
    { name: 'e1', kind: 'embedding', deployments: [dep('a')] },
    { name: 'e2', kind: 'embedding', deployments: [dep('b')] },
  ],
  groups: [{ name: 'vectors', models: ['e1', 'e2'] }],
};

function routerWith(providers: Record<string, LlmProvider>, routing: Partial<ConveyorConfig['routing']> = {}) {
  const base = loadConfig({});
  const config: ConveyorConfig = { ...base, models: CATALOG, routing: { ...base.routing, backoffBaseMs: 1, backoffMaxMs: 5, maxRetries: 1, ...routing } };
  return new ModelRouter(
    config,
    { get: (d: CatalogDeployment) => providers[d.id]! } as ProviderFactory,
    new ProviderMetrics(new MetricsRegistry({ defaults: false })),
  );
}

const request = (model: string, dimensions?: number) => ({ model, inputs: ['one', 'two'], dimensions });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a RoutingError');
    },
    (err: RoutingError) => err,
  );

describe('ModelRouter.embed', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it("calls the deployment's upstream model with every input and answers its vectors and usage", async () => {
    const a = scripted([{ dims: 4 }]);
    const routed = await routerWith({ a, b: scripted([{ dims: 4 }]) }).embed(request('e1', 4), new AbortController().signal);
    expect(a.seen).toEqual([{ model: 'a-upstream', inputs: ['one', 'two'], dimensions: 4 }]);
    expect(routed).toMatchObject({ vectors: [Array(4).fill(0.5), Array(4).fill(0.5)], usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(routed.attempts).toEqual([expect.objectContaining({ deployment: 'a', outcome: 'ok' })]);
  });

  it("retries a retryable failure, then falls back to the group's next model", async () => {
    const a = scripted([new ProviderError('upstream 503', true, { status: 503 })]);
    const b = scripted([{ dims: 2 }]);
    const routed = await routerWith({ a, b }).embed(request('vectors'), new AbortController().signal);
    expect(a.seen).toHaveLength(2);
    expect(routed.deployment.id).toBe('b');
    expect(routed.attempts.map((t) => [t.deployment, t.outcome])).toEqual([
      ['a', 'error'],
      ['a', 'error'],
      ['b', 'ok'],
    ]);
  });

  it('fails the job at once when an answer does not fit: another count, or not the dimensions asked for', async () => {
    const short = await failureOf(
      routerWith({ a: scripted([{ dims: 2, count: 1 }]), b: scripted([{ dims: 2 }]) }).embed(request('vectors'), new AbortController().signal),
    );
    expect(short).toMatchObject({ code: 'provider_error', message: 'a: answered 1 vectors for 2 inputs' });
    const wrong = await failureOf(routerWith({ a: scripted([{ dims: 8 }]), b: scripted([{ dims: 8 }]) }).embed(request('e1', 4), new AbortController().signal));
    expect(wrong.message).toMatch(/^a: answered vectors of 8 dimensions, not the 4 asked for/);
    expect(wrong.attempts).toHaveLength(1);
  });

  it('gives up on a silent upstream after ROUTING_CALL_TIMEOUT_MS, as a retryable failure, and reports every deployment down', async () => {
    const err = await failureOf(
      routerWith({ a: scripted(['hang']), b: scripted(['hang']) }, { callTimeoutMs: 30, maxRetries: 0 }).embed(
        request('vectors'),
        new AbortController().signal,
      ),
    );
    expect(err.code).toBe('providers_unavailable');
    expect(err.attempts.map((t) => t.error?.message)).toEqual(['a: no answer from the upstream within 30 ms', 'b: no answer from the upstream within 30 ms']);
  });

  it('reports a provider without an embeddings API as a provider error', async () => {
    const chatOnly: LlmProvider = { name: 'chat', stream: scripted([]).stream };
    const err = await failureOf(routerWith({ a: chatOnly }).embed(request('e1'), new AbortController().signal));
    expect(err).toMatchObject({ code: 'provider_error', message: 'a: simulated has no embeddings API' });
  });
});
