import { Logger } from '@nestjs/common';
import { loadConfig, type CatalogDeployment, type ConveyorConfig, type ModelCatalog } from '@conveyor/config';
import { ProviderError, type LlmProvider, type ProviderChunk } from '../providers/llm-provider.port';
import { ModelRouter, RoutingError } from './model-router.service';
import type { ProviderFactory } from './provider.factory';

/** What one call to a scripted deployment does: answer, fail before or after some text, or hang until aborted. */
type Step = { answer: string } | { fail: ProviderError; after?: string } | 'hang';

const FINISH: ProviderChunk = { type: 'finish', finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

function scripted(steps: Step[]): LlmProvider & { calls: number } {
  return {
    name: 'scripted',
    calls: 0,
    async *stream(_request, signal) {
      const step = steps[this.calls++] ?? steps[steps.length - 1]!;
      if (step === 'hang') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
        return;
      }
      if ('answer' in step) {
        yield { type: 'delta', content: step.answer };
        yield FINISH;
        return;
      }
      if (step.after) yield { type: 'delta', content: step.after };
      throw step.fail;
    },
  };
}

const dep = (id: string): CatalogDeployment => ({ id, provider: 'simulated', upstream_model: `${id}-model` });
const CATALOG: ModelCatalog = {
  models: [
    { name: 'one', deployments: [dep('a')] },
    { name: 'two', deployments: [dep('b')] },
    { name: 'three', deployments: [dep('c')] },
  ],
  groups: [
    { name: 'quality', models: ['one', 'two'], fallback_groups: ['backup'] },
    { name: 'backup', models: ['three'] },
  ],
};

function routerWith(providers: Record<string, LlmProvider>, routing: Partial<ConveyorConfig['routing']> = {}) {
  const base = loadConfig({});
  const config: ConveyorConfig = {
    ...base,
    models: CATALOG,
    routing: { ...base.routing, backoffBaseMs: 1, backoffMaxMs: 5, maxRetries: 2, cooldownFailures: 3, ...routing },
  };
  const factory = { get: (d: CatalogDeployment) => providers[d.id]! } as ProviderFactory;
  return new ModelRouter(config, factory);
}

const request = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }], params: {} });
const transient = (status = 503, retryAfterMs?: number) => new ProviderError(`upstream ${status}`, true, { status, retryAfterMs });

async function routeError(router: ModelRouter, model: string, signal = new AbortController().signal): Promise<RoutingError> {
  const err = await router.route(request(model), signal, () => undefined).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RoutingError);
  return err as RoutingError;
}

describe('ModelRouter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('retries a retryable error on the same deployment, then answers with every call recorded', async () => {
    const a = scripted([{ fail: transient(429, 1) }, { answer: 'hello' }]);
    const result = await routerWith({ a }).route(request('one'), new AbortController().signal, () => undefined);
    expect(result.text).toBe('hello');
    expect(result.deployment.id).toBe('a');
    expect(result.attempts.map((x) => [x.deployment, x.outcome, x.error?.status])).toEqual([
      ['a', 'error', 429],
      ['a', 'ok', undefined],
    ]);
    expect(result.attempts[1]).toEqual({ deployment: 'a', provider: 'simulated', upstream_model: 'a-model', outcome: 'ok', latency_ms: expect.any(Number) });
  });

  it('falls over to the next model of the group once a deployment has used its retries', async () => {
    const a = scripted([{ fail: transient(500) }]);
    const b = scripted([{ answer: 'from b' }]);
    const result = await routerWith({ a, b }).route(request('quality'), new AbortController().signal, () => undefined);
    expect(a.calls).toBe(3);
    expect(result.text).toBe('from b');
    expect(result.attempts.map((x) => x.deployment)).toEqual(['a', 'a', 'a', 'b']);
  });

  it('reaches the fallback groups after every model of the group failed', async () => {
    const fail = { fail: transient(502) };
    const result = await routerWith({ a: scripted([fail]), b: scripted([fail]), c: scripted([{ answer: 'backup' }]) }, { maxRetries: 0 }).route(
      request('quality'),
      new AbortController().signal,
      () => undefined,
    );
    expect(result.attempts.map((x) => `${x.deployment}:${x.outcome}`)).toEqual(['a:error', 'b:error', 'c:ok']);
  });

  it("fails at once with the provider's message on a non-retryable error, trying nothing else", async () => {
    const a = scripted([{ fail: new ProviderError('openai: 400 max_tokens is too large', false, { status: 400 }) }]);
    const b = scripted([{ answer: 'never' }]);
    const err = await routeError(routerWith({ a, b }), 'quality');
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('openai: 400 max_tokens is too large');
    expect(b.calls).toBe(0);
    expect(err.attempts).toHaveLength(1);
  });

  it('ends providers_unavailable when everything failed, listing every call', async () => {
    const fail = { fail: transient(503) };
    const err = await routeError(routerWith({ a: scripted([fail]), b: scripted([fail]), c: scripted([fail]) }, { maxRetries: 1, cooldownFailures: 10 }), 'quality');
    expect(err.code).toBe('providers_unavailable');
    expect(err.attempts.map((x) => x.deployment)).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(err.attempts.every((x) => x.outcome === 'error' && x.error?.message === 'upstream 503')).toBe(true);
  });

  it('skips a cooled-down deployment on the next job, and says so when nothing is left', async () => {
    const a = scripted([{ fail: transient(503) }]);
    const router = routerWith({ a }, { maxRetries: 5, cooldownFailures: 2 });
    const first = await routeError(router, 'one');
    expect(first.attempts).toHaveLength(2); // cooled down on its second failure: no third try
    const second = await routeError(router, 'one');
    expect(a.calls).toBe(2);
    expect(second.attempts).toEqual([]);
    expect(second.message).toMatch(/1 cooling down, skipped/);
  });

  it('cools down rather than waits when Retry-After asks for more than the longest backoff', async () => {
    const a = scripted([{ fail: transient(429, 60_000) }, { answer: 'late' }]);
    const b = scripted([{ answer: 'from b' }]);
    const router = routerWith({ a, b });
    expect((await router.route(request('quality'), new AbortController().signal, () => undefined)).text).toBe('from b');
    expect((await router.route(request('quality'), new AbortController().signal, () => undefined)).text).toBe('from b');
    expect(a.calls).toBe(1);
  });

  it('restarts generation when a call fails after streaming text: the next call starts again at seq 0', async () => {
    const a = scripted([{ fail: transient(502), after: 'partial ' }, { answer: 'whole' }]);
    const deltas: Array<[string, number]> = [];
    const result = await routerWith({ a }).route(request('one'), new AbortController().signal, (content, seq) => deltas.push([content, seq]));
    expect(deltas).toEqual([
      ['partial ', 0],
      ['whole', 0],
    ]);
    expect(result.text).toBe('whole');
  });

  it('ends deadline_exceeded when the deadline passes during a hanging call', async () => {
    const err = await routeError(routerWith({ a: scripted(['hang']) }, { deadlineMs: 50 }), 'one');
    expect(err.code).toBe('deadline_exceeded');
    expect(err.attempts).toEqual([expect.objectContaining({ deployment: 'a', outcome: 'error', error: { message: 'deadline exceeded' } })]);
  });

  it("reports the job's own abort as cancelled, not as a provider failure", async () => {
    const controller = new AbortController();
    const routing = routeError(routerWith({ a: scripted(['hang']) }), 'one', controller.signal);
    setImmediate(() => controller.abort(new Error('worker shutting down')));
    const err = await routing;
    expect(err.code).toBe('cancelled');
    expect(err.attempts).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
  });

  it("fails a model missing from the worker's catalogue as an invalid job", async () => {
    expect((await routeError(routerWith({}), 'gpt-5')).code).toBe('invalid_job');
  });
});
