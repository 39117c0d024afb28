import type { ChannelModel } from 'amqplib';
import { batchFrameWrites } from './amqp-frame-batching';

/** A socket that records cork state at each write, and a multiplexer pass that writes three frames. */
function fakeConnection() {
  const log: string[] = [];
  let corked = 0;
  const stream = {
    cork: () => void corked++,
    uncork: () => void (corked--, log.push('flush')),
    write: (frame: string) => void log.push(`${frame}${corked > 0 ? ' (corked)' : ''}`),
  };
  const muxer = { _readIncoming: () => ['a', 'b', 'c'].forEach((f) => stream.write(f)) };
  return { model: { connection: { stream, muxer } } as unknown as ChannelModel, muxer, log };
}

describe('batchFrameWrites', () => {
  it("corks the socket for each multiplexer pass, so the pass's frames leave together", () => {
    const { model, muxer, log } = fakeConnection();
    expect(batchFrameWrites(model)).toBe(true);
    muxer._readIncoming();
    muxer._readIncoming();
    expect(log).toEqual(['a (corked)', 'b (corked)', 'c (corked)', 'flush', 'a (corked)', 'b (corked)', 'c (corked)', 'flush']);
  });

  it('leaves a connection of another shape alone', () => {
    expect(batchFrameWrites({ connection: { stream: {} } } as unknown as ChannelModel)).toBe(false);
    expect(batchFrameWrites({ connection: {} } as unknown as ChannelModel)).toBe(false);
  });
});
