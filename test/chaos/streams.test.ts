import { expectPassed } from './expect-result.util';
import { slowReadersScenario } from './slow-readers.scenario';
import { streamResumeScenario } from './stream-resume.scenario';

describe('chaos: SSE streams (small)', () => {
  it('streams cut at random points and resumed with Last-Event-ID are byte-identical with 0 gaps', async () => {
    const result = await streamResumeScenario({ streams: 25, tokens: 30, maxCuts: 3, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.gaps).toBe(0);
  });

  it('slow readers are cut at the buffer cap, fast readers on the same replica complete', async () => {
    const result = await slowReadersScenario({ slowReaders: 40, fastReaders: 5, bigTokens: 400_000, clientBufferBytes: 262_144, drainTimeoutMs: 90_000 });
    expectPassed(result);
  });
});
