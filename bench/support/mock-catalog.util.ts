/** The setting the catalogue names for the bench upstream's key (any value: the mock does not check it). */
export const MOCK_KEY_ENV = { BENCH_UPSTREAM_KEY: 'sk-bench-upstream' } as const;

/**
 * A catalogue whose model `mock` is the bench upstream through the real OpenAI adapter, paced as `pacing`
 * says (`tokens=32`, `ttft=200,tps=50,tokens=32`; see bench/upstream/mock-upstream.server.ts); `more` adds
 * models of other pacings by name.
 */
export function mockCatalog(upstreamUrl: string, pacing: string, more: Record<string, string> = {}): unknown {
  const model = (name: string, p: string) => ({
    name,
    deployments: [{ id: `bench-upstream-${name}`, provider: 'openai', upstream_model: p, base_url: `${upstreamUrl}/v1`, api_key_env: 'BENCH_UPSTREAM_KEY' }],
  });
  return { models: [model('mock', pacing), ...Object.entries(more).map(([name, p]) => model(name, p))], groups: [] };
}

/** A small valid chat request for the mock model; `marker` makes each job's prompt its own. */
export const mockRequest = (marker: string, extra: Record<string, unknown> = {}) => ({
  model: 'mock',
  messages: [{ role: 'user', content: marker }],
  ...extra,
});
