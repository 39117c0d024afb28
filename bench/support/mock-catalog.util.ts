/** The setting the catalogue names for the bench upstream's key (any value: the mock does not check it). */
export const MOCK_KEY_ENV = { BENCH_UPSTREAM_KEY: 'sk-bench-upstream' } as const;

/**
 * A catalogue whose model `mock` is the bench upstream through the real OpenAI adapter, paced as `pacing`
 * says (`tokens=32`, `ttft=200,tps=50,tokens=32`; see bench/upstream/mock-upstream.server.ts).
 */
export function mockCatalog(upstreamUrl: string, pacing: string): unknown {
  return {
    models: [
      {
        name: 'mock',
        deployments: [{ id: 'bench-upstream', provider: 'openai', upstream_model: pacing, base_url: `${upstreamUrl}/v1`, api_key_env: 'BENCH_UPSTREAM_KEY' }],
      },
    ],
    groups: [],
  };
}

/** A small valid chat request for the mock model; `marker` makes each job's prompt its own. */
export const mockRequest = (marker: string, extra: Record<string, unknown> = {}) => ({
  model: 'mock',
  messages: [{ role: 'user', content: marker }],
  ...extra,
});
