import { expectPassed } from './expect-result.util';
import { slowReadersScenario } from './slow-readers.scenario';
import { streamResumeScenario } from './stream-resume.scenario';

describe('chaos: SSE streams (small)', () => {
  it('live streams cut mid-text and resumed with Last-Event-ID on another replica are byte-identical with 0 gaps', async () => {
    const result = await streamResumeScenario({ streams: 20, tokens: 30, cutFraction: 0.5, maxCuts: 3, streamingReplicas: 2, drainTimeoutMs: 60_000 });
    expectPassed(result);
    expect(result.figures.streams_cut).toBe(10);
    expect(result.figures.streams_cut_live).toBe(10);
    expect(result.figures.cuts_made).toBe(result.figures.cuts_planned);
    expect(result.figures.resumes_on_another_replica).toBe(result.figures.cuts_made);
    expect(result.figures.byte_identical).toBe(20);
    expect(result.figures.gaps).toBe(0);
  }, 240_000); // a third stream replica to start on top of the cluster: past the tier's 120 s on a loaded machine

  it('slow readers are cut at the buffer cap, fast readers on the same replica complete', async () => {
    const result = await slowReadersScenario({ slowReaders: 40, fastReaders: 5, bigTokens: 400_000, clientBufferBytes: 262_144, drainTimeoutMs: 90_000 });
    expectPassed(result);
  });
});
