import { SimulatedProvider } from './simulated.provider';
import { SIMULATED_EMBEDDING_DIMENSIONS, simulatedEmbedding } from './simulated-embedding.util';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('simulated embeddings', () => {
  it('are unit vectors of the length asked for, the same for the same text, different for another', () => {
    const a = simulatedEmbedding('hello', 64);
    expect(a).toHaveLength(64);
    expect(norm(a)).toBeCloseTo(1, 12);
    expect(simulatedEmbedding('hello', 64)).toEqual(a);
    expect(simulatedEmbedding('hello!', 64)).not.toEqual(a);
    expect(new Set(a).size).toBe(64);
  });

  it('come from the simulated provider after its time to first token, 1536 long by default, with usage for the inputs alone', async () => {
    const provider = new SimulatedProvider({ ttftMs: 0, tokensPerSecond: 0, minTokens: 1, maxTokens: 2 });
    const answer = await provider.embed({ model: 'simulated', inputs: ['abcdefgh', 'x'] }, new AbortController().signal);
    expect(answer.vectors.map((v) => v.length)).toEqual([SIMULATED_EMBEDDING_DIMENSIONS, SIMULATED_EMBEDDING_DIMENSIONS]);
    expect(answer.vectors[0]).toEqual(simulatedEmbedding('abcdefgh', SIMULATED_EMBEDDING_DIMENSIONS));
    expect(answer.usage).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
    const short = await provider.embed({ model: 'simulated', inputs: ['x'], dimensions: 3 }, new AbortController().signal);
    expect(short.vectors[0]).toHaveLength(3);
  });

  it('stop when the job is stopped during the wait', async () => {
    const provider = new SimulatedProvider({ ttftMs: 10_000, tokensPerSecond: 0, minTokens: 1, maxTokens: 2 });
    const stop = new AbortController();
    const pending = provider.embed({ model: 'simulated', inputs: ['x'] }, stop.signal);
    stop.abort(new DOMException('stopped', 'AbortError'));
    await expect(pending).rejects.toThrow('stopped');
  });
});
